/**
 * One change that wrongly meets a target-wide error (a server answering 401
 * to one resource only) quarantined its target again after every release,
 * for ever, and nothing else got through. The rule that stops it:
 *
 * - A target-wide error quarantines the target and records which change met
 *   it (QuarantineRecord.changeId).
 * - Releasing that quarantine makes the change the target's *suspect*, kept
 *   with the failure count (`quarantine-failures:<target>`, FailureCount.suspect),
 *   so every process sees it.
 * - Any other change of the target that succeeds after the release marks the
 *   suspect `othersSucceeded`: the target works, for other changes at least.
 * - When the suspect meets a target-wide error again:
 *   - another change has succeeded since the release: the suspect alone is
 *     failed for good (a `change.failed` saying why) and the target stays
 *     open. It stays the suspect, so the next run's plan of the same change
 *     fails the same way instead of quarantining;
 *   - none has yet, but other changes of the target wait on other accounts
 *     (running, or due within 30 s: a retry due in minutes tells nothing
 *     soon): the suspect is put back behind them after a backoff that grows
 *     with each put-back, the target stays
 *     open, and they decide (one succeeding: see above; one meeting a
 *     target-wide error too: quarantine, the target really is unusable);
 *   - nothing else waits: quarantine, as before (nothing can tell the two
 *     cases apart).
 * - The suspect succeeding clears it; a target-wide quarantine by another
 *   change, once released, makes that one the suspect instead.
 *
 * A wrong password fails every change: none succeeds, so nothing is failed
 * for good and the target is quarantined as before.
 */

export interface Suspect {
  /** The change (id stable across plans) whose target-wide error put the target in its last quarantine. */
  readonly changeId: string;
  /** Another change of the target succeeded since that quarantine was released. */
  readonly othersSucceeded: boolean;
}

/** What to do with a target-wide error (QuarantineKeeper.judgeTargetWide). */
export type TargetWideVerdict = 'quarantine' | 'fail-alone' | 'put-behind';

/** A suspect as stored (anything else, hand-edited or older, is none). */
export function suspectOf(value: unknown): Suspect | undefined {
  const v = value as Partial<Suspect> | null | undefined;
  return typeof v?.changeId === 'string' ? { changeId: v.changeId, othersSucceeded: v.othersSucceeded === true } : undefined;
}

/** The suspect after `changeId` succeeded: cleared when it is the suspect, marked when another. */
export function afterSuccess(suspect: Suspect | undefined, changeId: string | undefined): Suspect | undefined {
  if (suspect === undefined || suspect.changeId === changeId) return undefined;
  return suspect.othersSucceeded ? suspect : { ...suspect, othersSucceeded: true };
}

/** Whether a success of `changeId` changes the stored suspect (else it writes nothing for it). */
export function successChanges(suspect: Suspect | undefined, changeId: string | undefined): boolean {
  return suspect !== undefined && (suspect.changeId === changeId || !suspect.othersSucceeded);
}

/** The verdict on a target-wide error of `changeId`; `othersWaiting` is asked only when it decides. */
export async function verdictFor(suspect: Suspect | undefined, changeId: string, othersWaiting: () => Promise<boolean>): Promise<TargetWideVerdict> {
  if (suspect?.changeId !== changeId) return 'quarantine';
  if (suspect.othersSucceeded) return 'fail-alone';
  return await othersWaiting() ? 'put-behind' : 'quarantine';
}

/** The message a suspect failed on its own records (with the target's own error before it). */
export const FAILED_ALONE = 'this change caused the target-wide error twice (after its quarantine was released, while other changes of the target succeeded): failed on its own so the rest of the target can proceed';
