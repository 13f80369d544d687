import { sql } from 'kysely';
import { appendAudit } from './audit.js';
import { bulkInsert, type BulkInsert, type BulkValue } from './bulk.js';
import { lockFor, type Db, type StoreContext } from './context.js';
import { toJson } from './json.js';
import type { EnqueueJob, EnqueueOptions, EnqueueResult } from './queue-types.js';
import { readUnfinishedChanges } from './queued-changes.js';
import { withdrawJobs } from './withdraw.js';

const JOB_COLUMNS = [
  'id', 'plan_id', 'target', 'ordering_key', 'seq', 'change', 'status', 'attempts', 'next_run_at', 'created_at', 'updated_at',
] as const;
const JOB_INSERT = {
  table: 'roster_jobs', columns: JOB_COLUMNS, types: { seq: 'bigint', attempts: 'integer' }, key: ['id'], onConflict: 'ignore', json: ['change'],
} as const satisfies BulkInsert;

/**
 * QueueStore.enqueue. With `leaveOut`, the jobs' accounts' unfinished jobs
 * of other plans are read again inside the insert's transaction and the
 * jobs `leaveOut` names are not inserted: a plan made before another
 * process enqueued an equal change does not queue it a second time. Two
 * such enqueuers of the same target never both pass the check: SQLite's
 * write transaction holds the database lock from its start (BEGIN
 * IMMEDIATE); on PostgreSQL (READ COMMITTED) each takes a transaction lock
 * per target, in name order, before it reads, so its read (a new snapshot
 * per statement) sees what the one before it committed.
 */
export async function enqueueJobs(ctx: StoreContext, jobs: readonly EnqueueJob[], options: EnqueueOptions = {}): Promise<EnqueueResult> {
  const { withdraw } = options;
  const withdrawing = withdraw !== undefined && withdraw.changes.length > 0;
  if (jobs.length === 0 && !withdrawing) return { leftOut: [] };
  const now = (options.now ?? new Date()).toISOString();
  let withdrawn: string[] = [];
  const leftOut = await ctx.write(async (trx) => {
    if (withdrawing) {
      // The targets' enqueue locks before anything else (the re-check takes them again): never after the audit lock.
      const targets = new Set([...jobs.map((job) => job.target), ...withdraw.changes.map((w) => w.change.target)]);
      for (const target of [...targets].sort()) await lockFor(ctx, trx, `enqueue:${target}`);
      withdrawn = await withdrawJobs(ctx, trx, withdraw, now);
    }
    const left = options.leaveOut === undefined || jobs.length === 0 ? new Map<string, string>() : await leftOutIn(ctx, trx, jobs, options);
    const kept = left.size === 0 ? jobs : jobs.filter((job) => !left.has(job.id));
    const rows = kept.map((job): BulkValue[] => [
      job.id, job.planId, job.target, job.orderingKey, job.seq, toJson(job.change), 'pending', 0, now, now, now,
    ]);
    await bulkInsert(ctx, trx, JOB_INSERT, rows);
    return [...left].map(([jobId, queuedBy]) => ({ jobId, queuedBy }));
  });
  // A big plan changes the table's shape faster than autovacuum notices;
  // without fresh statistics PostgreSQL sorts every pending job on each claim.
  if (ctx.dialect === 'postgres' && jobs.length >= 1000) await sql`ANALYZE roster_jobs`.execute(ctx.db);
  return withdraw === undefined ? { leftOut } : { leftOut, withdrawn };
}

/** The jobs to leave out (job id → the plan that has the change queued), with their audit written in `trx`. */
async function leftOutIn(ctx: StoreContext, trx: Db, jobs: readonly EnqueueJob[], options: EnqueueOptions): Promise<ReadonlyMap<string, string>> {
  for (const target of [...new Set(jobs.map((job) => job.target))].sort()) await lockFor(ctx, trx, `enqueue:${target}`);
  // The jobs' own plans' jobs (enqueued again: ignored by id) are not another plan's.
  const own = new Set(jobs.map((job) => job.planId));
  const waiting = await readUnfinishedChanges(ctx, { orderingKeys: [...new Set(jobs.map((job) => job.orderingKey))] }, trx, own);
  if (waiting.length === 0) return new Map();
  const decided = options.leaveOut!(waiting);
  if (decided.jobs.size > 0 && decided.audit !== undefined && decided.audit.length > 0) await appendAudit(ctx, trx, decided.audit, false);
  return decided.jobs;
}
