import type { AuditEntryInput } from '../core/types.js';
import { inList, type Db, type StoreContext } from './context.js';
import { JOB_INDEX_STATES, jobFromRow, jobStatus } from './jobs.js';
import type { FailDependents } from './queue-types.js';

/**
 * Inside QueueStore.fail's transaction, the job `jobId` just failed for good:
 * the pending jobs of its ordering key that run after it (the claim's order:
 * later in its plan, or enqueued after it by another plan; the `unfinished`
 * partial index), handed to `dependents` in that order, and those it picks
 * failed with their errors and audit entries. In the same transaction as the
 * failure itself: no claim, here or in another process, sees the failed job
 * finished and its dependents still pending (they are claimable only once
 * nothing ahead of them is unfinished). Returns their audit entries, for the
 * caller to append after the create's own: the rows are locked before the
 * audit log, in the order a cancel takes them (cancel.ts), else a cancel
 * holding one of them and waiting for the log deadlocks with this fail.
 */
export async function failDependents(ctx: StoreContext, trx: Db, jobId: string, dependents: FailDependents): Promise<readonly AuditEntryInput[]> {
  const failed = await trx.selectFrom('roster_jobs').select(['n', 'ordering_key']).where('id', '=', jobId).executeTakeFirst();
  if (failed === undefined) return [];
  const rows = await trx.selectFrom('roster_jobs').selectAll()
    .where('ordering_key', '=', failed.ordering_key)
    // As the partial index's predicate is written, then only the pending ones: a running job is leased, possibly under way.
    .where(jobStatus('status', JOB_INDEX_STATES.unfinished)).where('status', '=', 'pending')
    .where('n', '>', failed.n)
    // Locked (PostgreSQL): a cancel meanwhile waits, so what is audited below is what is failed.
    .orderBy('n').$if(ctx.dialect === 'postgres', (query) => query.forUpdate()).execute();
  if (rows.length === 0) return [];
  const { jobs, audit } = dependents(rows.map(jobFromRow));
  if (jobs.size === 0) return [];
  const now = new Date().toISOString();
  // One update per distinct error (one create's dependents share theirs): few statements whatever their number.
  const byError = new Map<string, string[]>();
  for (const [id, error] of jobs) byError.set(error, [...(byError.get(error) ?? []), id]);
  for (const [error, ids] of byError) {
    await trx.updateTable('roster_jobs').set({ status: 'failed', last_error: error, updated_at: now })
      .where(inList(ctx, 'id', ids)).where('status', '=', 'pending').execute();
  }
  return audit;
}
