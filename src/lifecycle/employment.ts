import type { Identity, LifecycleEvent } from '../core/types.js';

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
