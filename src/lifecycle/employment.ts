import type { Identity, LifecycleEvent } from '../core/types.js';

/**
 * The identity with its record of a new employment (Identity.rehiredAt) after
 * the events its change caused: a `rehire` records the moment (its
 * recordedAt), a termination HR took back (`leaver.reverted`: the employment
 * before it goes on) drops what an earlier rehire recorded, and any other
 * change keeps what `after` carries over from before (merge.ts nextIdentity).
 * The policy reads it to tell a rehire from a return when the disable of the
 * former employment's account came after the new start (a termination
 * entered late): the HR dates alone then say "return".
 */
export function withEmployment(after: Identity, caused: readonly LifecycleEvent[]): Identity {
  for (const event of caused) {
    if (event.kind === 'rehire') return { ...after, rehiredAt: event.recordedAt };
    if (event.kind === 'mover' && event.reasons.includes('leaver.reverted') && after.rehiredAt !== undefined) {
      const { rehiredAt: _dropped, ...rest } = after;
      return rest;
    }
  }
  return after;
}
