import { sql, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { AuditEntryInput, Job, JobStatus, LinkedAccount } from '../core/types.js';
import { removeAccount, writeAccounts } from './accounts.js';
import { appendAudit } from './audit.js';
import { inList, toNumber, type Db, type StoreContext } from './context.js';
import { fromJson, optional } from './json.js';
import type { JobRow } from './schema.js';
import type { CompletedJob, JobState } from './types.js';
import { linkKey, type WriteEffects } from './write-effects.js';

/**
 * The job states each partial index of roster_jobs holds (migration 0006).
 * A query reaches a partial index only when its WHERE implies the index's
 * predicate. Queries on a job state write the states as literals
 * (`jobStatus`), the way the predicates are written: SQLite matches the
 * terms as written (it sees a bound value only when it re-prepares), and a
 * PostgreSQL generic plan never sees the value of a parameter.
 * A job is in the pending index while it waits (again after a retry or a
 * release), in the running one while leased, in the unfinished one until it
 * is done or failed, and then only in the finished one, where done jobs
 * stay; a cancelled job only in the cancelled one (migration 0009), for
 * the per-target counts. Claims and completions no longer rewrite index entries of every job
 * ever run (the indexes of migration 0001 led with status or carried it, so
 * every state change moved an entry in four of them).
 */
export const JOB_INDEX_STATES = {
  pending: ['pending'],
  running: ['running'],
  unfinished: ['pending', 'running'],
  finished: ['done', 'failed'],
  cancelled: ['cancelled'],
} as const satisfies Record<string, readonly JobStatus[]>;

/** Statuses after which a job no longer holds back later jobs of its ordering key. */
export const UNFINISHED: readonly JobStatus[] = JOB_INDEX_STATES.unfinished;

/** `column = 'state'` or `column in ('a', 'b')` with literals, as the partial indexes' predicates are written. */
export function jobStatus(column: string, states: readonly JobStatus[]): RawBuilder<SqlBool> {
  const [only] = states;
  if (states.length === 1 && only !== undefined) return sql<SqlBool>`${sql.ref(column)} = ${sql.lit(only)}`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(states.map((state) => sql.lit(state)))})`;
}

export function jobFromRow(row: Selectable<JobRow>): Job {
  return { ...jobStateFromRow(row), change: fromJson(row.change) };
}

/** The columns of a job but its change (see JobState). */
export const JOB_STATE_COLUMNS = [
  'id', 'plan_id', 'target', 'ordering_key', 'seq', 'status', 'attempts', 'next_run_at', 'lease_until', 'last_error', 'created_at', 'updated_at',
] as const;

export function jobStateFromRow(row: Pick<Selectable<JobRow>, (typeof JOB_STATE_COLUMNS)[number]>): JobState {
  return {
    id: row.id,
    planId: row.plan_id,
    target: row.target,
    orderingKey: row.ordering_key,
    seq: toNumber(row.seq),
    status: row.status as JobStatus,
    attempts: toNumber(row.attempts),
    nextRunAt: row.next_run_at,
    ...optional('leaseUntil', row.lease_until),
    ...optional('lastError', row.last_error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What a batch of completions leaves behind for one link: the last job's word on it wins. */
type LinkEffect = { readonly upsert: LinkedAccount } | { readonly remove: { readonly target: string; readonly identityId: string } };

/**
 * Marks the given jobs done (those still running under `workerId`) and writes
 * their effects, inside the caller's write transaction: one update for all
 * the ids, one bulk link write, one audit append for the whole batch.
 */
export async function completeJobs(
  ctx: StoreContext, trx: Db, effects: WriteEffects, workerId: string, jobs: readonly CompletedJob[],
): Promise<boolean[]> {
  if (jobs.length === 0) return [];
  const now = new Date().toISOString();
  const ids = [...new Set(jobs.map((job) => job.jobId))];
  const rows = await trx.updateTable('roster_jobs')
    .set({ status: 'done', lease_until: null, updated_at: now })
    .where(inList(ctx, 'id', ids)).where('status', '=', 'running').where('worker_id', '=', workerId)
    .returning('id')
    .execute();
  const running = new Set(rows.map((row) => row.id));
  const links = new Map<string, LinkEffect>();
  const audit: AuditEntryInput[] = [];
  const completed = jobs.map(({ jobId, effects = {} }) => {
    // A job named twice completes once, like two calls of complete().
    if (!running.delete(jobId)) return false;
    if (effects.upsertAccount !== undefined) links.set(linkKey(effects.upsertAccount), { upsert: effects.upsertAccount });
    if (effects.removeAccount !== undefined) links.set(linkKey(effects.removeAccount), { remove: effects.removeAccount });
    if (effects.audit !== undefined) audit.push(...effects.audit);
    return true;
  });
  const upserts: LinkedAccount[] = [];
  for (const effect of links.values()) {
    if ('upsert' in effect) upserts.push(effect.upsert);
    else await removeAccount(trx, effects, effect.remove.target, effect.remove.identityId);
  }
  await writeAccounts(ctx, trx, effects, upserts);
  await appendAudit(ctx, trx, audit, false);
  return completed;
}

/** Leased jobs this worker never started go back to pending, the claim's attempt undone. */
export async function releaseJobs(ctx: StoreContext, trx: Db, workerId: string, jobIds: readonly string[], dueAt?: Date): Promise<number> {
  const result = await trx.updateTable('roster_jobs')
    .set({
      status: 'pending', lease_until: null, worker_id: null, attempts: sql`case when attempts > 0 then attempts - 1 else 0 end`, updated_at: new Date().toISOString(),
      ...(dueAt === undefined ? {} : { next_run_at: dueAt.toISOString() }),
    })
    .where(inList(ctx, 'id', jobIds)).where('status', '=', 'running').where('worker_id', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

