import { sql, type Kysely } from 'kysely';

/**
 * 0015_job_holders_index: running jobs by worker, target and lease end, for
 * QueueStore.leaseHolders (lease-holders.ts), which GoneWorkers asks every
 * few seconds while claiming: without it each look grouped every running job
 * (35-90 ms on either back end with 100,000 running); with it, a skip scan
 * reads one entry per worker and target. Its predicate repeats
 * JOB_INDEX_STATES.running's literal, as the other partial indexes of the
 * queue do (migration 0006), and adds `worker_id is not null` (true of every
 * running job), which only leaseHolders' query states: the index would
 * otherwise cover the running counts and claims better than their own
 * indexes and draw their plans to a full walk of it. May run again (a store
 * rebuilt from its migration record).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
export async function jobHoldersIndex(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists roster_jobs_holders on roster_jobs (worker_id, target, lease_until) where status = 'running' and worker_id is not null`.execute(db);
}
