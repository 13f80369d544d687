import { sql, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import { RosterError } from '../core/errors.js';
import { appendAudit } from './audit.js';
import { inList, type StoreContext } from './context.js';
import { JOB_INDEX_STATES, jobStatus } from './jobs.js';
import type { Database } from './schema.js';
import type { CancelFilter, CancelOptions } from './types.js';

type JobUpdate = UpdateQueryBuilder<Database, 'roster_jobs', 'roster_jobs', UpdateResult>;

function ofFilter(query: JobUpdate, filter: CancelFilter): JobUpdate {
  let scoped = query;
  if (filter.target !== undefined) scoped = scoped.where('target', '=', filter.target);
  if (filter.planId !== undefined) scoped = scoped.where('plan_id', '=', filter.planId);
  return scoped;
}

/**
 * QueueStore.cancel: the filter's pending jobs, and the leased ones a worker
 * names as not started, become 'cancelled' in one write transaction, with
 * the audit entry (its data given the count) when any did. A cancelled job is
 * final: it never runs, and no longer holds back later jobs of its ordering
 * key (the claim waits only for pending and running ones). Running jobs are
 * not touched: their worker may be under way at the target, and its
 * completion must still record the link.
 */
export function cancelJobs(ctx: StoreContext, filter: CancelFilter, options: CancelOptions): Promise<number> {
  if (filter.target === undefined && filter.planId === undefined) {
    return Promise.reject(new RosterError('request.invalid', 'cancel needs a target or a plan id'));
  }
  return ctx.write(async (trx) => {
    const now = new Date().toISOString();
    let cancelled = 0;
    if (options.pending !== false) {
      const pending = await ofFilter(trx.updateTable('roster_jobs').set({ status: 'cancelled', updated_at: now })
        .where(jobStatus('status', JOB_INDEX_STATES.pending)), filter).executeTakeFirst();
      cancelled += Number(pending.numUpdatedRows);
    }
    const leased = options.leased;
    if (leased !== undefined && leased.jobIds.length > 0) {
      // Leased by this worker and never started: the claim's attempt undone, as a release does.
      const given = await ofFilter(trx.updateTable('roster_jobs')
        .set({ status: 'cancelled', lease_until: null, worker_id: null, attempts: sql`case when attempts > 0 then attempts - 1 else 0 end`, updated_at: now })
        .where(inList(ctx, 'id', leased.jobIds)).where('status', '=', 'running').where('worker_id', '=', leased.workerId), filter).executeTakeFirst();
      cancelled += Number(given.numUpdatedRows);
    }
    if (cancelled > 0 && options.audit !== undefined) {
      const data = options.audit.data;
      const withCount = typeof data === 'object' && data !== null && !Array.isArray(data) ? { ...data, cancelled } : { cancelled };
      await appendAudit(ctx, trx, [{ ...options.audit, data: withCount }], false);
    }
    return cancelled;
  });
}
