import type { Threshold, TargetConfig } from '../config/types.js';
import type { Change, Hold } from '../core/types.js';
import { formatCount, formatShare, thresholdLimit } from '../lifecycle/threshold.js';

const limitText = (t: Threshold): string => ('count' in t ? `${formatCount(t.count)} accounts` : `${t.percent}%`);

/**
 * Safety per target: a plan that would delete or disable more than the
 * target's limit (a count, or a percentage of its linked accounts) is held.
 * Targets with fewer than `safety.minAccounts` linked accounts are exempt.
 */
export function safetyHolds(changes: readonly Change[], targets: readonly TargetConfig[], totals: ReadonlyMap<string, number>): Hold[] {
  const deletes = new Map<string, number>();
  const disables = new Map<string, number>();
  for (const c of changes) {
    if (c.action === 'delete') deletes.set(c.target, (deletes.get(c.target) ?? 0) + 1);
    else if (c.action === 'disable') disables.set(c.target, (disables.get(c.target) ?? 0) + 1);
  }
  const holds: Hold[] = [];
  for (const target of targets) {
    const total = totals.get(target.id) ?? 0;
    if (total < target.safety.minAccounts) continue;
    const checks = [
      { code: 'safety.max_deletes', verb: 'delete', count: deletes.get(target.id) ?? 0, threshold: target.safety.maxDeletes },
      { code: 'safety.max_disables', verb: 'disable', count: disables.get(target.id) ?? 0, threshold: target.safety.maxDisables },
    ];
    for (const { code, verb, count, threshold } of checks) {
      const limit = thresholdLimit(threshold, total);
      if (count <= limit) continue;
      holds.push({
        target: target.id, code, count, limit,
        message: `would ${verb} ${formatCount(count)} of ${formatCount(total)} accounts in ${target.id} `
          + `(${formatShare(count, total)}); the limit is ${limitText(threshold)}`,
      });
    }
  }
  return holds;
}
