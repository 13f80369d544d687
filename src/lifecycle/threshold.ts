import type { Threshold } from '../config/types.js';

/**
 * The largest allowed count for a threshold over `base` items ("5%" of 1,003 → 50).
 * The nudge undoes floating-point error (0.57 × 10,000 = 5,699.999…): a true
 * fraction of a whole number of items is further than that below the next one.
 */
export function thresholdLimit(threshold: Threshold, base: number): number {
  return 'count' in threshold ? threshold.count : Math.floor((base * threshold.percent) / 100 + 1e-9);
}

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
