import type { Threshold, TargetConfig } from '../config/types.js';
import type { Change, Hold } from '../core/types.js';
import { DEFAULT_MAX_REVOKES, formatCount, formatShare, safetyLimit, thresholdLimit } from '../lifecycle/threshold.js';

export function limitText(threshold: Threshold, total: number, limit: number): string {
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
  const counted = safetyCounts(changes);
  const holds: Hold[] = [];
  for (const target of targets) {
    const counts = counted.get(target.id);
    const total = totals.get(target.id) ?? 0;
    const { minAccounts } = target.safety;
    if (counts === undefined || total < minAccounts) continue;
    for (const { code, what, key, threshold } of safetyChecks(target)) {
      const count = counts[key];
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

/** What the safety limits count, per target, in one plan (see safetyHolds). */
export interface SafetyCounts {
  readonly deletes: number;
  readonly disables: number;
  /** Accounts losing at least one entitlement and neither disabled nor deleted in the plan. */
  readonly revokes: number;
}

/** The three limits of a target: hold code, what the message says is done, which count, the threshold. */
export function safetyChecks(target: TargetConfig): { code: string; what: string; key: keyof SafetyCounts; threshold: Threshold }[] {
  return [
    { code: 'safety.max_deletes', what: 'delete', key: 'deletes', threshold: target.safety.maxDeletes },
    { code: 'safety.max_disables', what: 'disable', key: 'disables', threshold: target.safety.maxDisables },
    { code: 'safety.max_revokes', what: 'revoke entitlements from', key: 'revokes', threshold: target.safety.maxRevokes ?? DEFAULT_MAX_REVOKES },
  ];
}

/** Per target with any: the plan's deletes, disables and revokes as the limits count them. One pass over the changes. */
export function safetyCounts(changes: readonly Change[]): Map<string, SafetyCounts> {
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
  const counts = new Map<string, SafetyCounts>();
  for (const [target, tally] of tallies) {
    let revokes = 0;
    for (const identity of tally.revoked) if (!tally.leaving.has(identity)) revokes += 1;
    counts.set(target, { deletes: tally.deletes, disables: tally.disables, revokes });
  }
  return counts;
}
