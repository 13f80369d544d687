import type { Logger } from '../connectors/types.js';
import type { Store } from '../store/types.js';
import { redactMessage } from './backoff.js';
import { afterSuccess, successChanges, suspectOf, verdictFor, type Suspect, type TargetWideVerdict } from './quarantine-suspect.js';

export interface QuarantineRecord {
  readonly since: string;
  readonly reason: string;
  /** Who put it there by hand (`roster quarantine hold`); absent when repeated failures did. */
  readonly by?: string;
  /** The change whose target-wide error put it there (quarantine-suspect.ts); absent otherwise. */
  readonly changeId?: string;
}

export const quarantineKey = (target: string): string => `quarantine:${target}`;
/** The target's consecutive failures so far (a FailureCount; absent when none): shared by every process and worker. */
export const failuresKey = (target: string): string => `quarantine-failures:${target}`;

/**
 * The stored count: the failures in a row, and the changes (change id, stable
 * across plans) they were failures of, each with the job that counted it.
 * Holds at most `threshold` changes: reaching it clears the count. Kept with
 * it: the target's suspect (quarantine-suspect.ts), which a count reset keeps.
 */
export interface FailureCount {
  readonly count: number;
  readonly changes: Readonly<Record<string, string>>;
  readonly suspect?: Suspect;
}

/** A stored count as read (a bare number: as first written, without its changes). */
export function failureCount(stored: unknown): FailureCount {
  if (typeof stored === 'number') return { count: stored, changes: {} };
  const value = stored as Partial<FailureCount> | null | undefined;
  const suspect = suspectOf(value?.suspect);
  const count = typeof value?.count === 'number' ? { count: value.count, changes: value.changes ?? {} } : { count: 0, changes: {} };
  return suspect === undefined ? count : { ...count, suspect };
}

/** What to store: nothing when there is no count and no suspect. */
function stored(count: number, changes: Readonly<Record<string, string>>, suspect: Suspect | undefined): FailureCount | undefined {
  if (count === 0 && suspect === undefined) return undefined;
  return suspect === undefined ? { count, changes } : { count, changes, suspect };
}

const NONE: FailureCount = { count: 0, changes: {} };

/** Other changes of a target count as waiting to tell whether it works when they run or are due this soon. */
export const OTHERS_DUE_WITHIN_MS = 30_000;

/** The failed change, for the count: a change already counted under an earlier plan's job does not count again. */
export interface FailedChange {
  readonly jobId: string;
  readonly changeId: string;
}

/**
 * Counts consecutive failures per target and quarantines a target once they
 * reach its threshold, or at once when an error says the target as a whole
 * cannot be used (quarantineNow). The count and the flag live in the store's
 * state, so every worker and every run (`roster sync` from cron starts afresh
 * each time) adds to the same count and sees the same flag; the event is in
 * the audit log.
 */
export class QuarantineKeeper {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #actor: string;
  /**
   * The stored count (and suspect) of each target as this process last read
   * (active(), at each claim) or wrote it: a success writes only when the
   * count is not 0 or the suspect needs marking, so the successes of a
   * healthy target write nothing. Another worker's failures are seen at the
   * next claim at the latest.
   */
  readonly #counts = new Map<string, FailureCount>();
  /** Count writes this process started (succeeded, failed): a stored count read while one was under way is older than it. */
  #countWrites = 0;
  /** Count writes under way now: a read begun while one is (started before the read, landing after) is older than it too. */
  #inFlight = 0;
  /** Each target's suspect job put behind its other changes, and how many times in a row (putBehind). */
  readonly #behind = new Map<string, { readonly jobId: string; readonly times: number }>();
  /** Targets this process put in quarantine (or saw there at its last check) and has not released since. */
  readonly #held = new Set<string>();
  /**
   * When this process last put each target in quarantine (a counter, not a
   * clock): a read that began before (active()) says nothing of that hold, and
   * must not take the target out of #held, else jobs start after the hold.
   */
  readonly #heldAt = new Map<string, number>();
  #ticks = 0;
  /** The time of a success, for the suspect's mark (quarantine-suspect.ts); failures come with their own `now`. */
  readonly #now: () => Date;

  constructor(store: Store, log: Logger, actor: string, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#log = log;
    this.#actor = actor;
    this.#now = now;
  }

  async isQuarantined(target: string): Promise<boolean> {
    const record = await this.#store.state.get<QuarantineRecord | null>(quarantineKey(target));
    return record !== undefined && record !== null;
  }

  /** The targets given that are not in quarantine (their stored failure counts read on the way). */
  async active(targets: Iterable<string>): Promise<Set<string>> {
    const active = new Set<string>();
    for (const target of targets) {
      const began = this.#ticks;
      const writes = this.#countWrites;
      const quiet = this.#inFlight === 0;
      const [quarantined, stored] = await Promise.all([this.isQuarantined(target), this.#store.state.get<unknown>(failuresKey(target))]);
      // Not over what a reset or a count of this process wrote meanwhile, or was writing when the read began: read before
      // it landed, the stored count is stale (a success would then write its reset again).
      if (quiet && this.#countWrites === writes) this.#counts.set(target, failureCount(stored));
      if (quarantined) this.#held.add(target);
      // Held here while the read was under way: the read is older than the hold.
      else if ((this.#heldAt.get(target) ?? -1) > began) continue;
      else {
        this.#held.delete(target);
        active.add(target);
      }
    }
    return active;
  }

  /**
   * Whether the target is in quarantine as this process last knew it: read
   * synchronously before each job starts, so a claim that was under way when
   * the target was held (its jobs leased before the hold) starts none of them.
   */
  heldNow(target: string): boolean {
    return this.#held.has(target);
  }

  /**
   * A change to the target succeeded: its stored count goes back to 0, and
   * the suspect is marked (with the time) or cleared (quarantine-suspect.ts).
   * No store write when the count is already 0 and the suspect needs nothing
   * as this process last knew them (the hot path of a healthy target; a
   * suspect's mark is written again at most every SUCCESS_RESTAMP_MS); never
   * rejects (a reset not written is tried again at the next success).
   */
  async succeeded(target: string, changeId?: string): Promise<void> {
    const now = this.#now();
    const known = this.#counts.get(target);
    if (known !== undefined && known.count === 0 && !successChanges(known.suspect, changeId, now)) return;
    // Before the write: the successes finishing meanwhile do not write it again.
    const suspect = afterSuccess(known?.suspect, changeId, now);
    this.#counts.set(target, suspect === undefined ? NONE : { ...NONE, suspect });
    this.#countWrites += 1;
    this.#inFlight += 1;
    try {
      await this.#store.state.update<FailureCount>(failuresKey(target), (current) => {
        const next = afterSuccess(failureCount(current).suspect, changeId, now);
        return stored(0, {}, next);
      });
    } catch (error) {
      this.#counts.delete(target);
      this.#log.warn('could not reset a target\'s failure count', { target, error: redactMessage(String(error)) });
    } finally {
      this.#inFlight -= 1;
    }
  }

  /**
   * Count a failure (atomically, in the store: every worker and every run
   * adds to the same count); returns true when this one put the target in
   * quarantine. Reaching the threshold starts the count again, so a target
   * released (by this worker or any other process) takes `threshold` new
   * failures to go back; of the failures of all workers, exactly one reaches
   * the threshold, and it quarantines and audits the target.
   *
   * `change`: a change the count already holds from another job (an earlier
   * plan's: each `roster sync` plans a change that failed for good again) is
   * not counted again, else one person's bad data, failing once per run
   * with nothing else to do, would quarantine the whole target after
   * `threshold` runs. Its own retries (the same job) each count.
   */
  async failed(target: string, threshold: number, reason: string, now: Date, change?: FailedChange): Promise<boolean> {
    let count = 0;
    let counted = false;
    let suspect: Suspect | undefined;
    this.#countWrites += 1;
    this.#inFlight += 1;
    try {
      await this.#store.state.update<FailureCount | number>(failuresKey(target), (current) => {
        const now = failureCount(current);
        suspect = now.suspect;
        const earlier = change === undefined ? undefined : now.changes[change.changeId];
        counted = earlier === undefined || earlier === change?.jobId;
        count = now.count + (counted ? 1 : 0);
        if (!counted) return current;
        if (count >= threshold) return stored(0, {}, suspect);
        return stored(count, change === undefined ? now.changes : { ...now.changes, [change.changeId]: change.jobId }, suspect);
      });
    } catch (error) {
      // The failure itself is recorded (failure.ts); only this one's count towards quarantine is lost.
      this.#log.warn('could not count a failure towards the target\'s quarantine', { target, error: redactMessage(String(error)) });
      return false;
    } finally {
      this.#inFlight -= 1;
    }
    this.#counts.set(target, { count: counted && count >= threshold ? 0 : count, changes: {}, ...(suspect === undefined ? {} : { suspect }) });
    if (!counted || count < threshold) return false;
    const record: QuarantineRecord = { since: now.toISOString(), reason };
    if (!(await this.#setIfFree(target, record))) return false;
    await this.#store.audit.append([{ kind: 'target.quarantined', actor: this.#actor, target, data: { ...record, consecutiveFailures: count } }]);
    this.#log.warn('target quarantined', { target, consecutiveFailures: count, reason });
    return true;
  }

  /**
   * Quarantine the target at once: an error said the target as a whole
   * cannot be used (RosterError.targetWide: a wrong bind password, a refused
   * certificate), so every change would fail the same way. `changeId`: the
   * change that met the error (the suspect once released). Returns whether
   * this call put it there (of several racing, one sets the flag and audits
   * it); either way the target is held as far as this process knows.
   */
  async quarantineNow(target: string, reason: string, now: Date, changeId?: string): Promise<boolean> {
    const record: QuarantineRecord = { since: now.toISOString(), reason, ...(changeId === undefined ? {} : { changeId }) };
    if (!(await this.#setIfFree(target, record))) return false;
    await this.#store.audit.append([{ kind: 'target.quarantined', actor: this.#actor, target, data: { ...record, targetWide: true } }]);
    this.#log.warn('target quarantined: it cannot be used until the cause is fixed', { target, reason });
    return true;
  }

  /**
   * Put a target in quarantine by hand (an operator stops changes to a system
   * under maintenance, or an apply going wrong): no worker starts its jobs
   * until it is released; jobs already running finish, jobs leased and not
   * started are given back. Returns whether it was newly held; a target
   * already in quarantine keeps its record (and its reason).
   */
  async hold(target: string, actor: string, reason: string, now: Date): Promise<boolean> {
    const record: QuarantineRecord = { since: now.toISOString(), reason, by: actor };
    if (!(await this.#setIfFree(target, record))) return false;
    await this.#store.audit.append([{ kind: 'target.quarantined', actor, target, data: { since: record.since, reason, manual: true } }]);
    this.#log.warn('target put in quarantine by hand', { target, actor });
    return true;
  }

  /**
   * Set the flag unless the target is already in quarantine, atomically (of
   * several racing, one sets it): whether this call set it. Either way the
   * target is held as far as this process knows.
   */
  async #setIfFree(target: string, record: QuarantineRecord): Promise<boolean> {
    let mine = false;
    await this.#store.state.update<QuarantineRecord | null>(quarantineKey(target), (current) => {
      mine = current === undefined || current === null;
      return mine ? record : current;
    });
    this.#held.add(target);
    this.#heldAt.set(target, ++this.#ticks);
    return mine;
  }

  /**
   * The suspect (job `jobId`) is put behind the target's other changes once
   * more: how many times in a row, as this process counts (a put-back undoes
   * the attempt, so the backoff grows with this instead).
   */
  putBehind(target: string, jobId: string): number {
    const last = this.#behind.get(target);
    const times = last?.jobId === jobId ? last.times + 1 : 1;
    this.#behind.set(target, { jobId, times });
    return times;
  }

  /**
   * What a target-wide error of this job's change does (quarantine-suspect.ts):
   * quarantine the target, fail the change alone, or put it behind the
   * target's other waiting changes: those running, or due within
   * OTHERS_DUE_WITHIN_MS of `now` (a retry due in minutes would keep the
   * suspect meeting the target in the meantime). Another change's success
   * counts only when recent before `now` (OTHERS_SUCCEEDED_WITHIN_MS). Read
   * fresh from the store (a rare path).
   */
  async judgeTargetWide(target: string, changeId: string, orderingKey: string, now: Date): Promise<TargetWideVerdict> {
    const current = failureCount(await this.#store.state.get<unknown>(failuresKey(target)));
    const dueBy = new Date(now.getTime() + OTHERS_DUE_WITHIN_MS);
    return verdictFor(current.suspect, changeId, now, () => this.#store.queue.othersUnfinished(target, orderingKey, dueBy));
  }

  /**
   * Lift the quarantine (an operator decided the target works again): its
   * pending changes run again, and it takes `threshold` new failures to go
   * back. The change whose target-wide error put it there becomes the
   * target's suspect (quarantine-suspect.ts). Returns whether it was in
   * quarantine; of releases racing, one clears the flag and audits it
   * (`actor`: who released it).
   */
  async release(target: string, actor = this.#actor): Promise<boolean> {
    this.#held.delete(target);
    this.#behind.delete(target);
    // Read through an update that keeps the value: the record as it is now, not as a read cache may have it.
    let cause: unknown;
    await this.#store.state.update<QuarantineRecord | null>(quarantineKey(target), (current) => ((cause = current?.changeId), current));
    const suspect = typeof cause === 'string' ? { changeId: cause, othersSucceeded: false } : undefined;
    let kept: FailureCount | undefined;
    await this.#store.state.update<FailureCount>(failuresKey(target), (current) => (kept = stored(0, {}, suspect ?? failureCount(current).suspect)));
    this.#counts.set(target, kept ?? NONE);
    let held: QuarantineRecord | undefined;
    await this.#store.state.update<QuarantineRecord | null>(quarantineKey(target), (current) => {
      held = current ?? undefined;
      return undefined;
    });
    if (held === undefined) return false;
    await this.#store.audit.append([{ kind: 'target.released', actor, target, data: { quarantinedSince: held.since, reason: held.reason } }]);
    this.#log.info('target released from quarantine', { target });
    return true;
  }
}
