import { DEFAULT_SAFETY_WINDOW_MS } from '../config/durations.js';
import type { TargetConfig } from '../config/types.js';
import type { Hold } from '../core/types.js';
import { formatCount, formatShare, safetyLimit } from '../lifecycle/threshold.js';
import { limitText, safetyChecks, type SafetyCounts } from './safety.js';


/** A target's window in milliseconds; 0 = off. */
export function windowOf(target: TargetConfig): number {
  return target.safety.windowMs ?? DEFAULT_SAFETY_WINDOW_MS;
}

/**
 * One step of a target's window: [start of the step (ms since the epoch),
 * deletes, disables, revokes] applied or enqueued in it. A window is judged in
 * sixtieths (a minute of an hour): a step counts while any of it is inside the
 * window, so a count is kept up to one step longer than the window, never
 * shorter, and a target keeps at most 61 steps whatever the traffic.
 */
export type WindowStep = readonly [start: number, deletes: number, disables: number, revokes: number];

/** What the state store keeps under one key: per target, its recent steps, oldest first. */
export type WindowLog = Readonly<Record<string, readonly WindowStep[]>>;

const STEPS = 60;
const stepOf = (windowMs: number): number => Math.max(1, Math.ceil(windowMs / STEPS));

/** The steps still (partly) inside the window at `now`. */
function live(steps: readonly WindowStep[], windowMs: number, now: number): WindowStep[] {
  const step = stepOf(windowMs);
  return steps.filter(([start]) => start + step > now - windowMs);
}

/** The counts of a target's steps still in its window. */
export function windowCounts(log: WindowLog | undefined, target: TargetConfig, now: number): SafetyCounts {
  const totals = { deletes: 0, disables: 0, revokes: 0 };
  const windowMs = windowOf(target);
  for (const [, deletes, disables, revokes] of live(log?.[target.id] ?? [], windowMs, now)) {
    totals.deletes += deletes;
    totals.disables += disables;
    totals.revokes += revokes;
  }
  return totals;
}

/** "1h", "90m", "2d": a window as the configuration would write it. */
export function describeWindow(ms: number): string {
  for (const [unit, size] of [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Holds of a plan judged over each target's sliding window: what the target
 * had applied (or enqueued) within `safety.window`, plus the plan's own
 * counts, against the same limits as one plan (maxDeletes, maxDisables,
 * maxRevokes over the target's linked accounts; exempt below minAccounts).
 * Only a limit the plan itself adds to is judged: a plan that disables no one
 * is not held because of earlier disables.
 */
export function windowHolds(
  counted: ReadonlyMap<string, SafetyCounts>, log: WindowLog | undefined, targets: readonly TargetConfig[],
  totals: ReadonlyMap<string, number>, now: number,
): Hold[] {
  const holds: Hold[] = [];
  for (const target of targets) {
    const own = counted.get(target.id);
    const windowMs = windowOf(target);
    const total = totals.get(target.id) ?? 0;
    const { minAccounts } = target.safety;
    if (own === undefined || windowMs <= 0 || total < minAccounts) continue;
    const before = windowCounts(log, target, now);
    for (const { code, what, key, threshold } of safetyChecks(target)) {
      // Placement moves are judged per plan only (safety.ts): over the window, the push that carried one past the
      // limit would be held whole, a termination in it too, for a move that can wait for the next full plan.
      if (key === 'moves' || own[key] === 0) continue;
      const count = before[key] + own[key];
      const limit = safetyLimit(threshold, total, minAccounts);
      if (count <= limit) continue;
      const window = describeWindow(windowMs);
      holds.push({
        target: target.id, code: `${code}_window`, count, limit,
        message: `would ${what} ${formatCount(count)} of ${formatCount(total)} accounts in ${target.id} within ${window} `
          + `(${formatCount(before[key])} already in the last ${window}, ${formatCount(own[key])} in this plan; ${formatShare(count, total)}); `
          + `the limit is ${limitText(threshold, total, limit)} (safety.window: ${window})`,
      });
    }
  }
  return holds;
}

/** The log with the plan's counts added (to the current step of each target's window), and what left the windows dropped. */
export function recordCounts(log: WindowLog | undefined, counted: ReadonlyMap<string, SafetyCounts>, targets: readonly TargetConfig[], now: number): WindowLog {
  const next: Record<string, readonly WindowStep[]> = {};
  for (const target of targets) {
    const windowMs = windowOf(target);
    if (windowMs <= 0) continue;
    const steps = live(log?.[target.id] ?? [], windowMs, now);
    const own = counted.get(target.id);
    if (own !== undefined && own.deletes + own.disables + own.revokes > 0) {
      const step = stepOf(windowMs);
      const start = Math.floor(now / step) * step;
      const last = steps.at(-1);
      if (last !== undefined && last[0] === start) {
        steps[steps.length - 1] = [start, last[1] + own.deletes, last[2] + own.disables, last[3] + own.revokes];
      } else {
        steps.push([start, own.deletes, own.disables, own.revokes]);
      }
    }
    if (steps.length > 0) next[target.id] = steps;
  }
  return next;
}

/**
 * The log with counts taken back from the step they were recorded in (`at`):
 * changes counted when their plan was judged or applied, then left out of the
 * queue (another plan had queued them: they count there). Each count stays at
 * or above zero, and a step that has left the window is not touched.
 */
export function withdrawCounts(log: WindowLog | undefined, counted: ReadonlyMap<string, SafetyCounts>, targets: readonly TargetConfig[], at: number): WindowLog {
  const next: Record<string, readonly WindowStep[]> = { ...log };
  for (const target of targets) {
    const own = counted.get(target.id);
    const steps = log?.[target.id];
    const windowMs = windowOf(target);
    if (own === undefined || steps === undefined || windowMs <= 0) continue;
    const step = stepOf(windowMs);
    const start = Math.floor(at / step) * step;
    next[target.id] = steps.map((s): WindowStep => (s[0] !== start ? s
      : [start, Math.max(0, s[1] - own.deletes), Math.max(0, s[2] - own.disables), Math.max(0, s[3] - own.revokes)]));
  }
  return next;
}

/** What `all` counts beyond `kept` (a plan's counts and those of the part of it that was queued), per target. */
export function countsBeyond(all: ReadonlyMap<string, SafetyCounts>, kept: ReadonlyMap<string, SafetyCounts>): Map<string, SafetyCounts> {
  const beyond = new Map<string, SafetyCounts>();
  for (const [target, counts] of all) {
    const k = kept.get(target) ?? { deletes: 0, disables: 0, revokes: 0 };
    beyond.set(target, { deletes: counts.deletes - k.deletes, disables: counts.disables - k.disables, revokes: Math.max(0, counts.revokes - k.revokes) });
  }
  return beyond;
}

/** Whether any target with a window has something the window counts in the plan (no store access needed otherwise). */
export function countsInWindow(counted: ReadonlyMap<string, SafetyCounts>, targets: readonly TargetConfig[]): boolean {
  return targets.some((t) => {
    const own = counted.get(t.id);
    return windowOf(t) > 0 && own !== undefined && own.deletes + own.disables + own.revokes > 0;
  });
}
