import type { Threshold } from '../config/types.js';

/**
 * The largest allowed count for a threshold over `base` items ("5%" of 1,003 → 50).
 * The nudge undoes floating-point error (0.57 × 10,000 = 5,699.999…): a true
 * fraction of a whole number of items is further than that below the next one.
 */
export function thresholdLimit(threshold: Threshold, base: number): number {
  return 'count' in threshold ? threshold.count : Math.floor((base * threshold.percent) / 100 + 1e-9);
}

/**
 * The limit of a target's safety threshold (maxDeletes, maxDisables,
 * maxRevokes, maxMoves) over its `base` linked accounts, for a target the
 * thresholds apply to (at least `minAccounts` linked accounts): as thresholdLimit, except
 * that a percentage above 0 allows at least one account ("5%" of 12 → 1, not
 * 0). Otherwise a target just above minAccounts would be stricter than both
 * a smaller one (exempt) and a bigger one (5% of 20 is 1): one leaver's
 * delete would hold the plan. With `minAccounts: 0` (no target is exempt) a
 * percentage applies as written, to the last account; a count and 0% are
 * always taken as written.
 */
export function safetyLimit(threshold: Threshold, base: number, minAccounts: number): number {
  const limit = thresholdLimit(threshold, base);
  return 'percent' in threshold && threshold.percent > 0 && minAccounts > 0 ? Math.max(1, limit) : limit;
}

/**
 * The most people a complete snapshot may lose at once (`source.maxMissing`)
 * out of `base` live people: as thresholdLimit, except that a percentage
 * above 0 allows at least one person ("20%" of 3 → 1, not 0), so that one
 * leaver of a small feed does not hold the whole source, as target safety
 * percentages allow at least one account (safetyLimit). There is no
 * exemption below a size: two gone of three is still a truncated file, and
 * an empty file always is. A count and 0% are taken as written.
 */
export function missingLimit(threshold: Threshold, base: number): number {
  const limit = thresholdLimit(threshold, base);
  return 'percent' in threshold && threshold.percent > 0 ? Math.max(1, limit) : limit;
}

/** Default of `safety.maxRevokes`: as protective as maxDisables' (a mass revoke is as damaging as a mass disable). */
export const DEFAULT_MAX_REVOKES: Threshold = { percent: 10 };

/**
 * Default of `safety.maxMoves`: as maxDisables'. A mass move for placement
 * drift comes from a mistyped `users.dn` or a changed template far more often
 * than from that many hand moves, and undoing it moves everyone again.
 */
export const DEFAULT_MAX_MOVES: Threshold = { percent: 10 };

/** "5%" or "12". */
export function describeThreshold(threshold: Threshold): string {
  return 'count' in threshold ? formatCount(threshold.count) : `${threshold.percent}%`;
}

/** 1003 → "1,003". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Share of base, rounded: 412 of 1,003 → "41%". */
export function formatShare(n: number, base: number): string {
  return base === 0 ? '100%' : `${Math.round((n * 100) / base)}%`;
}
