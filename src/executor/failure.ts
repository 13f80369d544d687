import type { ExecutorConfig } from '../config/types.js';
import { isRosterError, RosterError } from '../core/errors.js';
import type { Job } from '../core/types.js';
import type { Logger } from '../connectors/types.js';
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
 * counts the failure towards the target's quarantine.
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
        before: change.before, after: change.after,
        data: { planId: job.planId, changeId: change.id, action: change.action, error: message, code: error.code, attempts: job.attempts },
      }]);
    } else {
      const delay = Math.max(backoffDelay(job.attempts, config.backoffBaseMs, config.backoffMaxMs, ctx.random), error.retryAfterMs ?? 0);
      await ctx.store.queue.fail(job.id, message, new Date(now.getTime() + delay));
    }
    ctx.log.warn(final ? 'change failed' : 'change failed; will retry', { jobId: job.id, target: job.target, attempts: job.attempts, error: message });
    quarantined = await ctx.quarantine.failed(job.target, config.quarantineAfter, message, now);
  } catch (storeError) {
    ctx.log.error('could not record a failed change; its lease will expire and it will run again', { jobId: job.id, error: redactMessage(String(storeError)) });
  }
  return { outcome: final ? 'failed' : 'retry', error, quarantined };
}
