import type { LifecycleConfig } from '../config/types.js';
import type { Identity, LifecycleState } from '../core/types.js';

/** What a source's status column says, once compared with the configured lists. */
export type StatusClass = 'active' | 'leave' | 'terminated' | 'rescinded';

/** Status compared case-insensitively (and trimmed) with the lifecycle lists. */
export function classifyStatus(status: unknown, lifecycle: LifecycleConfig): StatusClass {
  if (status === undefined || status === null) return 'active';
  const text = String(status).trim().toLowerCase();
  if (text === '') return 'active';
  if (listed(lifecycle.rescindedStatuses, text)) return 'rescinded';
  if (listed(lifecycle.terminatedStatuses, text)) return 'terminated';
  if (listed(lifecycle.leaveStatuses, text)) return 'leave';
  return 'active';
}

/** `statuses` has `text` (lower case), compared case-insensitively. A plain loop: this runs once per source record. */
function listed(statuses: readonly string[], text: string): boolean {
  for (let index = 0; index < statuses.length; index += 1) {
    if (statuses[index]!.toLowerCase() === text) return true;
  }
  return false;
}

export interface StateInput {
  readonly status: StatusClass;
  readonly startAt: number | undefined;
  readonly endAt: number | undefined;
  /** Gone from a complete snapshot. */
  readonly missing: boolean;
}

/**
 * The lifecycle state from what the source says, at `now` (ms):
 * rescinded (status, or a prehire gone from the snapshot) > terminated
 * (end passed, status terminated without a future end date, or gone) >
 * prehire (start in the future) > leave (status) > active.
 * A "terminated" status with a FUTURE end date is a future-dated leaver: the
 * person keeps working until endAt.
 */
export function deriveState(input: StateInput, now: number): LifecycleState {
  const { status, startAt, endAt } = input;
  if (status === 'rescinded') return 'rescinded';
  if (input.missing) return startAt !== undefined && startAt > now ? 'rescinded' : 'terminated';
  if (endAt !== undefined && endAt <= now) return 'terminated';
  if (status === 'terminated' && endAt === undefined) return 'terminated';
  if (startAt !== undefined && startAt > now) return 'prehire';
  if (status === 'leave') return 'leave';
  return 'active';
}

/**
 * The state to store for what the source says, at `now` (ms): deriveState,
 * except that a future hire whose status says leave is stored as 'leave'.
 * effectiveState reads that as prehire until the start, and as leave from
 * then on: the row does not change when the start comes, so the stored state
 * must already say what it becomes (as the start and end dates do).
 */
export function storedState(input: StateInput, now: number): LifecycleState {
  const state = deriveState(input, now);
  return state === 'prehire' && input.status === 'leave' ? 'leave' : state;
}

/**
 * The state of a stored identity at `now`: dates may have taken effect since
 * it was stored (a prehire whose start came, a leaver whose end passed, a
 * future hire on leave whose start came: stored as 'leave', see storedState).
 * Terminated and rescinded are final until the source says otherwise. An
 * end before the start is a current employment and the next one after a gap.
 */
export function effectiveState(identity: Identity, now: Date): LifecycleState {
  const stored = identity.state;
  if (stored === 'rescinded' || stored === 'terminated') return stored;
  const at = now.getTime();
  const gap = gapOf(identity);
  if (gap !== undefined) {
    // The current employment ends before the next one starts (merge.ts currentEnd): working, a leaver in the gap, then back.
    if (at >= gap.end && at < gap.start) return 'terminated';
    return stored === 'leave' ? 'leave' : 'active';
  }
  if (identity.endAt !== undefined && Date.parse(identity.endAt) <= at) return 'terminated';
  if (identity.startAt !== undefined && Date.parse(identity.startAt) > at) return 'prehire';
  if (stored === 'leave') return 'leave';
  return 'active';
}

/**
 * A current employment followed, after a gap, by the next one (merge.ts
 * currentEnd: stored with an end before the start) whose start is still to
 * come at `now`: in the gap the person is a leaver, but one awaited back
 * (missing.ts counts them as live, so a row gone meanwhile is not taken back).
 */
export function awaitedBack(identity: Identity, now: Date): boolean {
  if (identity.state === 'rescinded' || identity.state === 'terminated') return false;
  const gap = gapOf(identity);
  return gap !== undefined && gap.start > now.getTime();
}

/** An identity stored ending before its next start (merge.ts currentEnd): the end and the start, in ms; else undefined. */
function gapOf(identity: Identity): { readonly end: number; readonly start: number } | undefined {
  if (identity.endAt === undefined || identity.startAt === undefined) return undefined;
  const end = Date.parse(identity.endAt);
  const start = Date.parse(identity.startAt);
  return end < start ? { end, start } : undefined;
}

/** Is the person (still or soon) working: prehire, active or on leave. */
export function isLive(state: LifecycleState): boolean {
  return state === 'prehire' || state === 'active' || state === 'leave';
}
