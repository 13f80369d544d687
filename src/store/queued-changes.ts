import type { Change, JobStatus } from '../core/types.js';
import { inList, type Db, type StoreContext } from './context.js';
import { JOB_INDEX_STATES, jobStatus } from './jobs.js';
import { fromJson } from './json.js';

/** A change waiting in the queue (pending, or running), with the job and plan it belongs to. */
export interface QueuedChange {
  readonly jobId: string;
  readonly planId: string;
  readonly status: JobStatus;
  readonly change: Change;
}

/**
 * Whose unfinished jobs to read: the accounts' (ordering keys
 * `${target}:${identity}`, an index lookup each), else the targets'.
 */
export interface QueuedChangesFilter {
  readonly targets?: readonly string[];
  readonly orderingKeys?: readonly string[];
}

export interface QueuedChangesReader {
  /**
   * The changes of the jobs still pending or running on these targets or
   * accounts, whatever their plan, oldest first: what a new plan must not
   * enqueue again (planner/queued.ts). One statement over the unfinished
   * jobs' partial index (migration 0006); they are few unless a big plan is
   * still being applied.
   */
  unfinishedChanges(filter: QueuedChangesFilter): Promise<QueuedChange[]>;
}

/**
 * QueueStore.unfinishedChanges; `db`: the enqueue's transaction when it
 * re-checks (store/enqueue.ts), and `skipPlans`: plans whose jobs are not
 * wanted (their changes are not parsed).
 */
export async function readUnfinishedChanges(
  ctx: StoreContext, filter: QueuedChangesFilter, db: Db = ctx.db, skipPlans: ReadonlySet<string> = new Set(),
): Promise<QueuedChange[]> {
  const { targets, orderingKeys } = filter;
  if (orderingKeys === undefined && targets === undefined) return [];
  if ((orderingKeys ?? targets)!.length === 0) return [];
  let query = db.selectFrom('roster_jobs').select(['id', 'plan_id', 'status', 'change'])
    .where(jobStatus('status', JOB_INDEX_STATES.unfinished));
  query = orderingKeys !== undefined ? query.where(inList(ctx, 'ordering_key', orderingKeys)) : query.where(inList(ctx, 'target', targets!));
  const rows = await query.orderBy('n').execute();
  return rows.filter((row) => !skipPlans.has(row.plan_id)).map((row) => ({ jobId: row.id, planId: row.plan_id, status: row.status as JobStatus, change: fromJson<Change>(row.change) }));
}
