import type { Identity, LifecycleEvent, LifecycleState } from '../core/types.js';

/**
 * The identity with its record of a new employment (Identity.rehiredAt) after
 * the events its change caused: a `rehire` records the moment (its
 * recordedAt), a termination HR took back (`leaver.reverted`: the employment
 * before it goes on) drops what an earlier rehire recorded, and so does a
 * rehire taken back (backToFormer); any other change keeps what `after`
 * carries over from before (merge.ts nextIdentity). The policy reads it to
 * tell a rehire from a return when the disable of the former employment's
 * account came after the new start (a termination entered late): the HR
 * dates alone then say "return".
 */
export function withEmployment(before: Identity, after: Identity, caused: readonly LifecycleEvent[]): Identity {
  for (const event of caused) {
    if (event.kind === 'rehire') return { ...after, rehiredAt: event.recordedAt };
    if (event.kind === 'mover' && event.reasons.includes('leaver.reverted')) return withoutRehire(after);
  }
  return backToFormer(before, after) ? withoutRehire(after) : after;
}

function withoutRehire(after: Identity): Identity {
  if (after.rehiredAt === undefined) return after;
  const { rehiredAt: _dropped, ...rest } = after;
  return rest;
}

/**
 * HR took the rehire back before its account was enabled again (a rehire
 * dated ahead, or the next plan not run yet): the row has the former
 * employment's start again, with no termination in between, so no
 * `leaver.reverted` says so. Told by the start moving earlier to before
 * Roster first saw the person: an employment already running then is not one
 * it recorded as new. A rehire's start corrected earlier stays a rehire as
 * long as it is after that.
 */
function backToFormer(before: Identity, after: Identity): boolean {
  // A start gone from the row says nothing of which employment goes on: the rehire stays (a new password, the safe side).
  if (after.rehiredAt === undefined || before.startAt === undefined || after.startAt === undefined) return false;
  const start = Date.parse(after.startAt);
  return start < Date.parse(before.startAt) && start < Date.parse(after.createdAt);
}

/**
 * Someone working (active or on leave) whose row now starts the employment
 * going on later than the last time Roster recorded them working in the one
 * before: the termination and the rehire fell between two reads (left on the
 * 10th, back from the 15th, the file read on the 20th; Roster down that
 * week; a termination entered late with the rehire, one row with the old
 * end date and the new start). When Roster last recorded the row
 * (before.updatedAt) it already said the person worked, since a start on or
 * before then; a start after that moment is another employment. A start
 * corrected later to a day before that moment (a typo in a start years ago)
 * is the same employment; so is one corrected while the person was still a
 * future hire (the row recorded before the start). A start still to come is
 * not this (a postponed or bridged employment, merge.ts continuedStart).
 * Nor is a start moved by days early in an employment (a joiner who began on
 * the Wednesday, not the Monday, corrected after a title change was
 * recorded): the new start must be more than CORRECTION_DAYS after the
 * former one, which a termination and a rehire between two reads always are
 * but for an employment of under a month. (An end date before the new start
 * tells nothing here: the merge drops an end before the start.)
 */
export function newEmploymentUnseen(before: Identity, beforeState: LifecycleState, after: Identity, to: LifecycleState, now: number): boolean {
  if ((beforeState !== 'active' && beforeState !== 'leave') || (to !== 'active' && to !== 'leave')) return false;
  if (before.missingSince !== undefined || before.startAt === undefined || after.startAt === undefined) return false;
  const recorded = Date.parse(before.updatedAt);
  const start = Date.parse(after.startAt);
  const formerStart = Date.parse(before.startAt);
  return formerStart <= recorded && start > recorded && start <= now && start - formerStart > CORRECTION_DAYS * DAY_MS;
}

/** A start moved by at most this many days with no end before it is a correction of the same employment. */
export const CORRECTION_DAYS = 30;
const DAY_MS = 86_400_000;
