import type { ExecutorConfig } from '../config/types.js';
import { isRosterError, RosterError } from '../core/errors.js';
import type { Job } from '../core/types.js';
import type { Logger } from '../connectors/types.js';
import { isSecretFingerprint, withoutSealed } from '../core/secrets.js';
import { learnTaken, takenValues } from '../reconcile/learned.js';
import type { Store } from '../store/types.js';
import { backoffDelay, redactMessage } from './backoff.js';
import { failDependentsOf } from './dependents.js';
import type { QuarantineKeeper } from './quarantine.js';
import { FAILED_ALONE, type TargetWideVerdict } from './quarantine-suspect.js';

export interface FailureContext {
  readonly store: Store;
  readonly log: Logger;
  readonly actor: string;
  readonly config: ExecutorConfig;
  readonly quarantine: QuarantineKeeper;
  readonly now: () => Date;
  readonly random: () => number;
  /** The worker holding the job's lease: a failure is recorded only while it still holds it. */
  readonly workerId?: string;
  /** The target's account key (TargetConfig.accountKey): how a failed create names its account to the changes it leaves not attempted. */
  readonly accountKey?: string;
}

/**
 * Longest wait before a retry. A target's Retry-After beyond it (a year, or
 * digits past what a date can hold) is taken as this long: the job comes back
 * then and asks again, spending one attempt, instead of waiting for ever or,
 * past the range of a date, not being recorded at all (and so running again
 * as soon as its lease ran out).
 */
export const MAX_RETRY_DELAY_MS = 24 * 60 * 60 * 1000;

export interface FailureRecord {
  readonly outcome: 'failed' | 'retry';
  readonly error: RosterError;
  /**
   * The target is in quarantine because of this failure (it put it there, or,
   * for a target-wide error, found it there already): the jobs leased for it
   * and not started go back.
   */
  readonly quarantined: boolean;
  /** The queue took the outcome (the job is this worker's no longer: a retry may be claimed again at once). */
  readonly recorded: boolean;
  /** A create failed for good: the changes queued behind it that were failed with it, not attempted (dependents.ts), and their error. */
  readonly notAttempted?: { readonly jobs: readonly Job[]; readonly error: string };
}

/** Any thrown value as a RosterError: unknown errors count as a retryable unavailable target. */
export function asRosterError(thrown: unknown): RosterError {
  return isRosterError(thrown) ? thrown
    : new RosterError('target.unavailable', thrown instanceof Error ? thrown.message : String(thrown), { retryable: true, cause: thrown });
}

/**
 * Records a failed attempt: back to pending after a backoff (never sooner
 * than the target's Retry-After), or failed for good with a `change.failed`
 * audit entry when the error is final or the attempts are used up; an error
 * that says the whole target is unusable quarantines it instead (see
 * recordTargetWide), unless the change is the suspect of the target's last
 * quarantine meeting it again (quarantine-suspect.ts): then it is failed for
 * good alone, or put back behind the target's other changes. Then
 * counts the failure towards the target's quarantine (not a 429: a target
 * pacing its clients is not failing). A final failure because a unique value
 * is taken also remembers that value for the plans that follow. A create
 * failed for good fails, in the same transaction, the changes queued behind it
 * that cannot succeed without it, not attempted (dependents.ts). When another
 * worker has taken the job over (this one's lease ran out), nothing is
 * recorded and the outcome is 'retry': the job is that worker's to finish.
 */
export async function recordFailure(job: Job, thrown: unknown, ctx: FailureContext): Promise<FailureRecord> {
  const error = asRosterError(thrown);
  const { config } = ctx;
  let message = redactMessage(`${error.code}: ${error.message}`);
  const now = ctx.now();
  let verdict: TargetWideVerdict = 'quarantine';
  if (error.targetWide) {
    verdict = await ctx.quarantine.judgeTargetWide(job.target, job.change.id, job.orderingKey, now).catch(() => 'quarantine' as const);
    if (verdict !== 'fail-alone') return recordTargetWide(job, error, message, ctx, verdict === 'put-behind');
  }
  // The suspect of the target's last quarantine met it again while the target works for others (quarantine-suspect.ts).
  const alone = verdict === 'fail-alone';
  if (alone) message = redactMessage(`${error.code}: ${error.message}; ${FAILED_ALONE}`);
  const final = alone || !error.retryable || job.attempts >= config.maxAttempts;
  const { change } = job;
  let quarantined = false;
  // Whether the queue took the failure: not when the job is no longer this worker's (a store answering nothing counts as yes).
  let recorded = true;
  let written = false;
  const behind = final && !await runsOverLink(job, ctx) ? failDependentsOf(job, message, error.code, ctx.actor, ctx.accountKey) : undefined;
  let notAttempted: FailureRecord['notAttempted'];
  try {
    if (final) {
      recorded = false !== await ctx.store.queue.fail(job.id, message, null, [{
        kind: 'change.failed', actor: ctx.actor, identity: change.identity, target: change.target, reasons: change.reasons,
        // Like change.applied: never the sealed secret values (ChangeState.sealed).
        before: change.before, after: withoutSealed(change.after),
        data: { planId: job.planId, changeId: change.id, action: change.action, error: message, code: error.code, attempts: job.attempts },
      }], ctx.workerId, behind?.dependents);
      const skipped = recorded ? behind?.failed() ?? [] : [];
      if (skipped.length > 0) notAttempted = { jobs: skipped, error: behind!.error };
    } else {
      const retryAfter = error.retryAfterMs === undefined || Number.isNaN(error.retryAfterMs) ? 0 : error.retryAfterMs;
      const delay = Math.min(Math.max(backoffDelay(job.attempts, config.backoffBaseMs, config.backoffMaxMs, ctx.random), retryAfter), MAX_RETRY_DELAY_MS);
      recorded = false !== await ctx.store.queue.fail(job.id, message, new Date(now.getTime() + delay), [], ctx.workerId);
    }
    written = recorded;
    if (!recorded) {
      // The lease ran out and another run holds the job now: its outcome is that run's to record.
      ctx.log.warn('change failed after its lease was lost; another worker owns it now', { jobId: job.id, target: job.target, error: message });
    } else {
      const said = alone ? 'change failed on its own: it met the target-wide error again while the target works for other changes' : final ? 'change failed' : 'change failed; will retry';
      ctx.log.warn(said, { jobId: job.id, target: job.target, attempts: job.attempts, error: message });
      if (notAttempted !== undefined) {
        ctx.log.warn('changes not attempted: the create they need failed', { jobId: job.id, target: job.target, notAttempted: notAttempted.jobs.length });
      }
    }
    if (final && recorded) await rememberTaken(job, error, ctx, now);
    // A target that asks to slow down (429) works as it should: pacing, not a failure towards quarantine.
    if (error.code !== 'target.rate_limited') quarantined = await ctx.quarantine.failed(job.target, config.quarantineAfter, message, now, { jobId: job.id, changeId: change.id });
  } catch (storeError) {
    ctx.log.error('could not record a failed change; its lease will expire and it will run again', { jobId: job.id, error: redactMessage(String(storeError)) });
  }
  return { outcome: final && recorded ? 'failed' : 'retry', error, quarantined, recorded: written, ...(notAttempted === undefined ? {} : { notAttempted }) };
}

/**
 * A create that found its person linked (apply-change.ts createOverLink: an
 * earlier plan's create ran first) fails with the account there: the changes
 * behind it stand on that account and are attempted, not failed with it
 * (dependents.ts). Only this create's job writes the link while it runs (the
 * ordering key). A link that cannot be read counts as one: attempting them is
 * what the plan said.
 */
async function runsOverLink(job: Job, ctx: FailureContext): Promise<boolean> {
  if (job.change.action !== 'create') return false;
  try {
    return await ctx.store.accounts.get(job.target, job.change.identity) !== undefined;
  } catch {
    return true;
  }
}

/**
 * The error says the target as a whole cannot be used (RosterError.targetWide:
 * a wrong bind password, a refused certificate), not this change: the target
 * is quarantined at once (audited `target.quarantined`) and the job goes back
 * to pending with its attempt undone (queue.release), neither failed nor
 * counted towards failing for good; once the cause is fixed and the target
 * released, it runs again. When the quarantine cannot be written, the job is
 * retried after a backoff instead, still never failed for good by this error.
 * `behind`: the change is the suspect of the target's last quarantine, met
 * the error again, and nothing else has succeeded since the release while
 * other changes of the target wait (quarantine-suspect.ts): no quarantine; it
 * goes back the same way, due after a backoff, so that they run first. The
 * backoff grows with its put-backs in a row (QuarantineKeeper.putBehind): its
 * attempt is undone, and a backoff of its attempts alone would have it meet
 * the target (a wrong password's failed bind each time) twice a second for as
 * long as the others take.
 */
async function recordTargetWide(job: Job, error: RosterError, message: string, ctx: FailureContext, behind = false): Promise<FailureRecord> {
  const now = ctx.now();
  const fields = { jobId: job.id, target: job.target, error: message };
  const tries = Math.max(job.attempts, 1) + (behind ? ctx.quarantine.putBehind(job.target, job.id) - 1 : 0);
  const delay = Math.min(backoffDelay(tries, ctx.config.backoffBaseMs, ctx.config.backoffMaxMs, ctx.random), MAX_RETRY_DELAY_MS);
  let held = behind;
  try {
    if (!behind) await ctx.quarantine.quarantineNow(job.target, message, now, job.change.id);
    held = true;
  } catch (storeError) {
    ctx.log.error('could not quarantine a target that cannot be used; its change will be retried', { ...fields, storeError: redactMessage(String(storeError)) });
  }
  let recorded = false;
  try {
    if (held && ctx.workerId !== undefined) {
      recorded = await ctx.store.queue.release([job.id], ctx.workerId, behind ? new Date(now.getTime() + delay) : undefined) > 0;
    } else {
      recorded = false !== await ctx.store.queue.fail(job.id, message, new Date(now.getTime() + delay), [], ctx.workerId);
    }
    if (!recorded) ctx.log.warn('change failed after its lease was lost; another worker owns it now', fields);
    else if (behind) ctx.log.warn('change put back behind the target\'s other changes: it met the target-wide error again since its quarantine was released; they tell whether the target works', fields);
    else ctx.log.warn('change put back: the target cannot be used, and waits in quarantine until it is released', fields);
  } catch (storeError) {
    ctx.log.error('could not record a failed change; its lease will expire and it will run again', { jobId: job.id, error: redactMessage(String(storeError)) });
  }
  return { outcome: 'retry', error, quarantined: held && !behind, recorded };
}

/**
 * The target refused a value someone it cannot list holds (the connector's
 * `details.taken`): remembered, so the next plan picks another name instead of
 * failing the same way again. Best effort: the failure is recorded either way.
 */
async function rememberTaken(job: Job, error: RosterError, ctx: FailureContext, now: Date): Promise<void> {
  // A secret attribute's value is kept nowhere in clear, not even as a taken value (targets[].secrets).
  const secret = (name: string): boolean => Object.hasOwn(job.change.after?.sealed ?? {}, name) || isSecretFingerprint(job.change.after?.attributes?.[name]);
  const taken = takenValues(error).filter((t) => !secret(t.attribute));
  if (taken.length === 0) return;
  const fields = { jobId: job.id, target: job.target, attributes: taken.map((t) => t.attribute) };
  try {
    await learnTaken(ctx.store.state, job.target, taken, now);
    ctx.log.info('a value taken in the target was remembered; the next plan picks another', fields);
  } catch (stateError) {
    ctx.log.warn('could not remember a value taken in the target; the next plan may pick it again', { ...fields, error: redactMessage(String(stateError)) });
  }
}
