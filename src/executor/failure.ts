import type { ExecutorConfig } from '../config/types.js';
import { isRosterError, RosterError } from '../core/errors.js';
import type { Job } from '../core/types.js';
import type { Logger } from '../connectors/types.js';
import { isSecretFingerprint, withoutSealed } from '../core/secrets.js';
import { learnTaken, takenValues } from '../reconcile/learned.js';
import type { Store } from '../store/types.js';
import { backoffDelay, redactMessage } from './backoff.js';
import type { QuarantineKeeper } from './quarantine.js';

export interface FailureContext {
  readonly store: Store;
  readonly log: Logger;
  readonly actor: string;
  readonly config: ExecutorConfig;
  readonly quarantine: QuarantineKeeper;
  readonly now: () => Date;
  readonly random: () => number;
}

export interface FailureRecord {
  readonly outcome: 'failed' | 'retry';
  readonly error: RosterError;
  /** This failure put the target in quarantine. */
  readonly quarantined: boolean;
}

/** Any thrown value as a RosterError: unknown errors count as a retryable unavailable target. */
export function asRosterError(thrown: unknown): RosterError {
  return isRosterError(thrown) ? thrown
    : new RosterError('target.unavailable', thrown instanceof Error ? thrown.message : String(thrown), { retryable: true, cause: thrown });
}

/**
 * Records a failed attempt: back to pending after a backoff (never sooner
 * than the target's Retry-After), or failed for good with a `change.failed`
 * audit entry when the error is final or the attempts are used up; then
 * counts the failure towards the target's quarantine. A final failure
 * because a unique value is taken also remembers that value for the plans
 * that follow.
 */
export async function recordFailure(job: Job, thrown: unknown, ctx: FailureContext): Promise<FailureRecord> {
  const error = asRosterError(thrown);
  const { config } = ctx;
  const message = redactMessage(`${error.code}: ${error.message}`);
  const now = ctx.now();
  const final = !error.retryable || job.attempts >= config.maxAttempts;
  const { change } = job;
  let quarantined = false;
  try {
    if (final) {
      await ctx.store.queue.fail(job.id, message, null, [{
        kind: 'change.failed', actor: ctx.actor, identity: change.identity, target: change.target, reasons: change.reasons,
        // Like change.applied: never the sealed secret values (ChangeState.sealed).
        before: change.before, after: withoutSealed(change.after),
        data: { planId: job.planId, changeId: change.id, action: change.action, error: message, code: error.code, attempts: job.attempts },
      }]);
    } else {
      const delay = Math.max(backoffDelay(job.attempts, config.backoffBaseMs, config.backoffMaxMs, ctx.random), error.retryAfterMs ?? 0);
      await ctx.store.queue.fail(job.id, message, new Date(now.getTime() + delay));
    }
    ctx.log.warn(final ? 'change failed' : 'change failed; will retry', { jobId: job.id, target: job.target, attempts: job.attempts, error: message });
    if (final) await rememberTaken(job, error, ctx, now);
    quarantined = await ctx.quarantine.failed(job.target, config.quarantineAfter, message, now);
  } catch (storeError) {
    ctx.log.error('could not record a failed change; its lease will expire and it will run again', { jobId: job.id, error: redactMessage(String(storeError)) });
  }
  return { outcome: final ? 'failed' : 'retry', error, quarantined };
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
