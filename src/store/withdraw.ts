import { RosterError } from '../core/errors.js';
import type { AuditEntryInput } from '../core/types.js';
import type { WithdrawnChange } from '../core/withdrawn.js';
import { appendAudit } from './audit.js';
import type { Db, StoreContext } from './context.js';
import { JOB_INDEX_STATES, jobStatus } from './jobs.js';

/** What QueueStore.enqueue withdraws with a plan's jobs (EnqueueOptions.withdraw). */
export interface Withdrawal {
  /** The plan that withdraws them (named in each audit entry). */
  readonly planId: string;
  readonly actor: string;
  readonly changes: readonly WithdrawnChange[];
}

/**
 * Cancels the queued jobs a plan withdraws (planner/withdrawn.ts), inside
 * the transaction that queues the plan, each with a `queue.withdrawn` audit
 * entry naming the plan that withdrew it and why. One still pending is
 * cancelled: the update's condition is its status, so a worker's claim that
 * took it first (SQLite: the write lock; PostgreSQL: the row lock, the
 * condition read again on the committed row) makes it miss. One that
 * started (running) or ran (done) since the plan was made makes the plan
 * stale: a RosterError `plan.stale` rolls the whole transaction back, so
 * nothing of the plan is queued, and a new plan follows the change as it
 * went. One no longer waiting otherwise (failed for good, cancelled by an
 * operator, gone) is left as it is: the plan diffed without it already.
 * Returns the job ids cancelled.
 */
export async function withdrawJobs(ctx: StoreContext, trx: Db, withdrawal: Withdrawal, now: string): Promise<string[]> {
  const cancelled: string[] = [];
  const audit: AuditEntryInput[] = [];
  for (const { jobId, queuedBy, change, reasons } of withdrawal.changes) {
    const result = await trx.updateTable('roster_jobs').set({ status: 'cancelled', updated_at: now })
      .where('id', '=', jobId).where(jobStatus('status', JOB_INDEX_STATES.pending)).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const row = await trx.selectFrom('roster_jobs').select('status').where('id', '=', jobId).executeTakeFirst();
      if (row?.status === 'running' || row?.status === 'done') {
        throw new RosterError('plan.stale', `a queued ${change.action} of ${change.identity} in ${change.target} this plan withdraws has `
          + `${row.status === 'running' ? 'started' : 'run'} since the plan was made (plan ${queuedBy}); make a new plan`, {
          details: { jobId, queuedBy, status: row.status },
        });
      }
      continue;
    }
    cancelled.push(jobId);
    audit.push({
      kind: 'queue.withdrawn', actor: withdrawal.actor, identity: change.identity, target: change.target, reasons,
      before: change.before, after: change.after,
      data: { planId: withdrawal.planId, jobId, queuedBy, changeId: change.id, action: change.action, queuedReasons: change.reasons },
    });
  }
  await appendAudit(ctx, trx, audit, false);
  return cancelled;
}
