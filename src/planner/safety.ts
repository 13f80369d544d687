import type { Threshold, TargetConfig } from '../config/types.js';
import type { Change, Hold } from '../core/types.js';
import { DEFAULT_MAX_REVOKES, formatCount, formatShare, safetyLimit, thresholdLimit } from '../lifecycle/threshold.js';

function limitText(threshold: Threshold, total: number, limit: number): string {
  if ('count' in threshold) return `${formatCount(threshold.count)} accounts`;
  // The floor of one account (safetyLimit) said, where it is what allowed the one.
  return limit > thresholdLimit(threshold, total) ? `${threshold.percent}% (at least ${formatCount(limit)} account)` : `${threshold.percent}%`;
}

/** Per target: deletes, disables, and the accounts losing an entitlement / leaving (disabled or deleted). */
interface Tally {
  deletes: number;
  disables: number;
  readonly revoked: Set<string>;
  readonly leaving: Set<string>;
}

/**
 * Safety per target: a plan that would delete, disable, or take entitlements
 * from more accounts than the target's limit (a count, or a percentage of its
 * linked accounts, at least one: see safetyLimit) is held. Targets with fewer
 * than `safety.minAccounts` linked accounts are exempt.
 *
 * maxRevokes counts accounts that lose at least one entitlement (not revoke
 * changes), except accounts also disabled or deleted in the plan: a leaver's
 * revoke-all, or a suspension on leave, comes with the disable, and that
 * account is judged once, by maxDisables (or maxDeletes). A leaver kept
 * enabled (`leaver.disable: never`) is counted here: no other limit sees it.
 * One pass over the changes; the sets hold only accounts with a revoke,
 * disable or delete.
 */
export function safetyHolds(changes: readonly Change[], targets: readonly TargetConfig[], totals: ReadonlyMap<string, number>): Hold[] {
  const tallies = new Map<string, Tally>();
  for (const c of changes) {
    const { action } = c;
    if (action !== 'delete' && action !== 'disable' && action !== 'revoke') continue;
    let tally = tallies.get(c.target);
    if (tally === undefined) {
      tally = { deletes: 0, disables: 0, revoked: new Set(), leaving: new Set() };
      tallies.set(c.target, tally);
    }
    if (action === 'revoke') {
      tally.revoked.add(c.identity);
      continue;
    }
    if (action === 'delete') tally.deletes += 1;
    else tally.disables += 1;
    tally.leaving.add(c.identity);
  }
  const holds: Hold[] = [];
  for (const target of targets) {
    const tally = tallies.get(target.id);
    const total = totals.get(target.id) ?? 0;
    const { minAccounts } = target.safety;
    if (tally === undefined || total < minAccounts) continue;
    let revokes = 0;
    for (const identity of tally.revoked) if (!tally.leaving.has(identity)) revokes += 1;
    const checks = [
      { code: 'safety.max_deletes', what: 'delete', count: tally.deletes, threshold: target.safety.maxDeletes },
      { code: 'safety.max_disables', what: 'disable', count: tally.disables, threshold: target.safety.maxDisables },
      { code: 'safety.max_revokes', what: 'revoke entitlements from', count: revokes, threshold: target.safety.maxRevokes ?? DEFAULT_MAX_REVOKES },
    ];
    for (const { code, what, count, threshold } of checks) {
      const limit = safetyLimit(threshold, total, minAccounts);
      if (count <= limit) continue;
      holds.push({
        target: target.id, code, count, limit,
        message: `would ${what} ${formatCount(count)} of ${formatCount(total)} accounts in ${target.id} `
          + `(${formatShare(count, total)}); the limit is ${limitText(threshold, total, limit)}`,
      });
    }
  }
  return holds;
}
