import { sql, type SelectQueryBuilder } from 'kysely';
import { RosterError } from '../core/errors.js';
import type { Change } from '../core/types.js';
import type { QueueStats, QueueStore } from './types.js';
import type { Database } from './schema.js';
import { appendAudit } from './audit.js';
import { claimJobs } from './claim.js';
import { inList, toNumber, type Db, type StoreContext } from './context.js';
import { completeJobs, JOB_INDEX_STATES, JOB_STATE_COLUMNS, jobFromRow, jobStateFromRow, jobStatus, releaseJobs } from './jobs.js';
import { fromJson } from './json.js';
import { enqueueJobs } from './enqueue.js';
import { cancelJobs } from './cancel.js';
import { failDependents } from './fail-dependents.js';
import { readUnfinishedChanges } from './queued-changes.js';
import { readLeaseHolders } from './lease-holders.js';
import { trackedWrite } from './write-effects.js';

type CountQuery = SelectQueryBuilder<Database, 'roster_jobs', { status: string; count: string | number | bigint }>;

/**
 * The query behind QueueStore.stats: jobs per status. A plan's through the
 * plan index; otherwise done and failed from the one index finished jobs
 * stay in, pending, running and cancelled from their small ones, in one statement so
 * the counts are of one moment (a job moving between two separate counts
 * would be counted twice or not at all). Exported for the store conformance
 * suite, which checks its plan.
 */
export function jobCountQuery(db: Db, options: { readonly target?: string; readonly planId?: string }): CountQuery {
  const base = db.selectFrom('roster_jobs').select(['status', (eb) => eb.fn.countAll().as('count')]).groupBy('status');
  const { planId, target } = options;
  const ofTarget = (query: CountQuery) => (target === undefined ? query : query.where('target', '=', target));
  if (planId !== undefined) return ofTarget(base.where('plan_id', '=', planId));
  const [finished, pending, running, cancelled] = (['finished', 'pending', 'running', 'cancelled'] as const)
    .map((states) => ofTarget(base.where(jobStatus('status', JOB_INDEX_STATES[states]))));
  return finished!.unionAll(pending!).unionAll(running!).unionAll(cancelled!);
}

/** The durable queue: jobs leased by workers, completed together with their effects. */
export function createQueueStore(ctx: StoreContext): QueueStore {
  const { db } = ctx;
  return {
    enqueue: (jobs, options) => enqueueJobs(ctx, jobs, options),

    claim: (options) => claimJobs(ctx, options),

    leaseHolders: (now) => readLeaseHolders(db, now),

    async complete(jobId, workerId, effects = {}) {
      const [completed] = await trackedWrite(ctx, (trx, written) => completeJobs(ctx, trx, written, workerId, [{ jobId, effects }]));
      return completed === true;
    },

    completeMany: (workerId, jobs) => (jobs.length === 0
      ? Promise.resolve([])
      : trackedWrite(ctx, (trx, written) => completeJobs(ctx, trx, written, workerId, jobs))),

    renew: (jobIds, workerId, leaseUntil) => (jobIds.length === 0 ? Promise.resolve(0) : ctx.write(async (trx) => {
      const until = leaseUntil.toISOString();
      const result = await trx.updateTable('roster_jobs').set({ lease_until: until })
        .where(inList(ctx, 'id', jobIds)).where('status', '=', 'running').where('worker_id', '=', workerId).where('lease_until', '<', until)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    })),

    release: (jobIds, workerId, dueAt) => (jobIds.length === 0 ? Promise.resolve(0) : ctx.write((trx) => releaseJobs(ctx, trx, workerId, jobIds, dueAt))),

    fail(jobId, error, retryAt, audit = [], workerId, dependents) {
      return ctx.write(async (trx) => {
        let update = trx.updateTable('roster_jobs')
          .set({
            status: retryAt === null ? 'failed' : 'pending',
            ...(retryAt === null ? {} : { next_run_at: retryAt.toISOString() }),
            lease_until: null,
            worker_id: null,
            last_error: error,
            updated_at: new Date().toISOString(),
          })
          .where('id', '=', jobId).where('status', '=', 'running');
        // A worker whose lease ran out and was taken over must not end (or re-queue) the new holder's run.
        if (workerId !== undefined) update = update.where('worker_id', '=', workerId);
        const result = await update.executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) {
          // The dependents' rows before the audit log (fail-dependents.ts): one append for the create and them.
          const skipped = retryAt === null && dependents !== undefined ? await failDependents(ctx, trx, jobId, dependents) : [];
          await appendAudit(ctx, trx, skipped.length === 0 ? audit : [...audit, ...skipped], false);
          return true;
        }
        const exists = await trx.selectFrom('roster_jobs').select('status').where('id', '=', jobId).executeTakeFirst();
        if (exists === undefined) throw new RosterError('store.not_found', `job ${jobId} does not exist`);
        // Not running any more (completed, cancelled) or not under this worker (re-leased after a lost lease): nothing to record.
        return false;
      });
    },

    async createsUnderWay(target) {
      // Running (leased, or its worker gone and the lease not yet run out), or back to pending after an attempt:
      // each may have added its account without having linked it yet. Two index walks: the running jobs' partial
      // index, and the retrying ones' (migration 0012, its predicate written as literals, as the index's is).
      const started = (state: 'running' | 'pending') => {
        const query = db.selectFrom('roster_jobs').select(['id', 'plan_id', 'change']).where(jobStatus('status', JOB_INDEX_STATES[state])).where('target', '=', target);
        return (state === 'pending' ? query.where(sql<boolean>`attempts > ${sql.lit(0)}`) : query).execute();
      };
      const rows = [...await started('running'), ...await started('pending')];
      return rows.flatMap((row) => {
        const change = fromJson<Change>(row.change);
        return change.action === 'create' ? [{ jobId: row.id, planId: row.plan_id, change }] : [];
      });
    },

    async get(jobId) {
      const row = await db.selectFrom('roster_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      return row === undefined ? undefined : jobFromRow(row);
    },

    async listByPlan(planId) {
      const rows = await db.selectFrom('roster_jobs').selectAll().where('plan_id', '=', planId).orderBy('seq').orderBy('n').execute();
      return rows.map(jobFromRow);
    },

    async listStatesByPlan(planId, statuses) {
      if (statuses?.length === 0) return [];
      let query = db.selectFrom('roster_jobs').select(JOB_STATE_COLUMNS).where('plan_id', '=', planId);
      if (statuses !== undefined) query = query.where('status', 'in', statuses);
      const rows = await query.orderBy('seq').orderBy('n').execute();
      return rows.map(jobStateFromRow);
    },

    async stats(options = {}) {
      const counts = new Map<string, number>();
      for (const row of await jobCountQuery(db, options).execute()) counts.set(row.status, toNumber(row.count as number | string));
      const stats: QueueStats = {
        pending: counts.get('pending') ?? 0,
        running: counts.get('running') ?? 0,
        done: counts.get('done') ?? 0,
        failed: counts.get('failed') ?? 0,
        cancelled: counts.get('cancelled') ?? 0,
      };
      return stats;
    },

    cancel: (filter, options = {}) => cancelJobs(ctx, filter, options),

    async othersUnfinished(target, orderingKey, dueBy) {
      const row = await db.selectFrom('roster_jobs').select('id')
        .where(jobStatus('status', JOB_INDEX_STATES.unfinished)).where('target', '=', target).where('ordering_key', '<>', orderingKey)
        .$if(dueBy !== undefined, (query) => query.where((eb) => eb.or([eb('status', '=', 'running'), eb('next_run_at', '<=', dueBy!.toISOString())])))
        .limit(1).executeTakeFirst();
      return row !== undefined;
    },

    async unfinishedPlans(target) {
      // The unfinished partial index leads with the ordering key, `${target}:${identity}`.
      const rows = await db.selectFrom('roster_jobs').select('plan_id').distinct()
        .where(jobStatus('status', JOB_INDEX_STATES.unfinished)).where('target', '=', target).execute();
      return rows.map((row) => row.plan_id);
    },

    unfinishedChanges: (filter) => readUnfinishedChanges(ctx, filter),
  };
}
