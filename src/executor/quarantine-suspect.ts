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
 *   suspect `othersSucceeded`, with the time (`othersSucceededAt`, written
 *   again at most every minute while others keep succeeding): the target
 *   works, for other changes at least, and since when the mark says so.
 * - When the suspect meets a target-wide error again:
 *   - another change has succeeded since the release, and recently: within
 *     OTHERS_SUCCEEDED_WITHIN_MS before this failure. The suspect alone is
 *     failed for good (a `change.failed` saying why) and the target stays
 *     open. It stays the suspect, so the next run's plan of the same change
 *     fails the same way instead of quarantining, while the others' success
 *     is that recent. An older success says nothing of the target now (a
 *     server answering 401 to everything an hour later is a real outage):
 *     the error is judged as if none had succeeded, below;
 *   - none has (recently), but other changes of the target wait on other accounts
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
  /**
   * When, as the succeeding process's clock read it (ISO): the latest such
   * success, give or take SUCCESS_RESTAMP_MS. Absent in a mark written
   * before it was kept: such a mark counts as old.
   */
  readonly othersSucceededAt?: string;
}

/**
 * How recent another change's success must be, before the suspect's failure,
 * for that failure to be the suspect's own (failed alone) rather than the
 * target's: longer than a suspect put behind the others waits for them with
 * the default backoff (at most 5 minutes), short against the hour after
 * which an outage must quarantine the target again. A real outage starting
 * within it, met first by the suspect alone, fails the suspect alone; the
 * next change to meet it quarantines the target.
 */
export const OTHERS_SUCCEEDED_WITHIN_MS = 15 * 60_000;

/** A success rewrites the mark's time only when the stored one is older than this (the hot path writes nothing). */
export const SUCCESS_RESTAMP_MS = 60_000;

/** What to do with a target-wide error (QuarantineKeeper.judgeTargetWide). */
export type TargetWideVerdict = 'quarantine' | 'fail-alone' | 'put-behind';

/** A suspect as stored (anything else, hand-edited or older, is none). */
export function suspectOf(value: unknown): Suspect | undefined {
  const v = value as Partial<Suspect> | null | undefined;
  if (typeof v?.changeId !== 'string') return undefined;
  const at = v.othersSucceeded === true && typeof v.othersSucceededAt === 'string' && !Number.isNaN(Date.parse(v.othersSucceededAt)) ? v.othersSucceededAt : undefined;
  return at === undefined ? { changeId: v.changeId, othersSucceeded: v.othersSucceeded === true } : { changeId: v.changeId, othersSucceeded: true, othersSucceededAt: at };
}

/** When the mark last said another change succeeded (epoch ms); undefined when it does not. */
function markedAt(suspect: Suspect): number | undefined {
  return suspect.othersSucceeded && suspect.othersSucceededAt !== undefined ? Date.parse(suspect.othersSucceededAt) : undefined;
}

/**
 * The suspect after `changeId` succeeded at `now`: cleared when it is the
 * suspect, marked (with the time) when another. The same object when
 * nothing needs writing: marked less than SUCCESS_RESTAMP_MS before `now`
 * (or after it, by a process whose clock is ahead).
 */
export function afterSuccess(suspect: Suspect | undefined, changeId: string | undefined, now: Date): Suspect | undefined {
  if (suspect === undefined || suspect.changeId === changeId) return undefined;
  const at = markedAt(suspect);
  if (at !== undefined && now.getTime() - at < SUCCESS_RESTAMP_MS) return suspect;
  return { changeId: suspect.changeId, othersSucceeded: true, othersSucceededAt: now.toISOString() };
}

/** Whether a success of `changeId` at `now` changes the stored suspect (else it writes nothing for it). */
export function successChanges(suspect: Suspect | undefined, changeId: string | undefined, now: Date): boolean {
  return afterSuccess(suspect, changeId, now) !== suspect;
}

/**
 * Whether another change succeeded within OTHERS_SUCCEEDED_WITHIN_MS before
 * `now`, the suspect's failure (a mark ahead of `now`, from a clock ahead of
 * this one, counts as recent).
 */
export function othersSucceededRecently(suspect: Suspect, now: Date): boolean {
  const at = markedAt(suspect);
  return at !== undefined && now.getTime() - at <= OTHERS_SUCCEEDED_WITHIN_MS;
}

/** The verdict on a target-wide error of `changeId` at `now`; `othersWaiting` is asked only when it decides. */
export async function verdictFor(suspect: Suspect | undefined, changeId: string, now: Date, othersWaiting: () => Promise<boolean>): Promise<TargetWideVerdict> {
  if (suspect?.changeId !== changeId) return 'quarantine';
  if (othersSucceededRecently(suspect, now)) return 'fail-alone';
  return await othersWaiting() ? 'put-behind' : 'quarantine';
}

/** The message a suspect failed on its own records (with the target's own error before it). */
export const FAILED_ALONE = 'this change caused the target-wide error twice (after its quarantine was released, while other changes of the target succeeded): failed on its own so the rest of the target can proceed';
