import { sql, type RawBuilder } from 'kysely';
import type { Db } from './context.js';
import { JOB_INDEX_STATES, jobStatus } from './jobs.js';
import type { LeaseHolder } from './queue-types.js';

interface HolderRow {
  readonly worker_id: string;
  readonly target: string;
  readonly lease_until: string;
}

/**
 * The query behind QueueStore.leaseHolders: each worker and target holding
 * running jobs, with the latest lease end of its jobs there, when that is
 * after `now`. GoneWorkers asks every few seconds while claiming, and the
 * grouping of every running job it used to be read all of them (35-90 ms
 * with 100,000 running). Now it walks the holders index (migration 0015:
 * running jobs by worker, target and lease end) one worker and target at a
 * time, as a skip scan: the first pair, then the next pair after each one
 * (one index seek each), and each pair's latest lease end from the end of
 * its range (one seek more). The cost follows the few pairs, not the jobs.
 * Exported for the store conformance suite, which checks its plan.
 */
export function leaseHoldersQuery(now: Date): RawBuilder<HolderRow> {
  // The index's predicate, repeated in each subquery so every one of them can use it.
  const running = (alias: string) => sql`${jobStatus(`${alias}.status`, JOB_INDEX_STATES.running)} and ${sql.ref(`${alias}.worker_id`)} is not null`;
  return sql<HolderRow>`
    with recursive holders (worker_id, target) as (
      select lowest.worker_id, lowest.target from (
        select f.worker_id, f.target from roster_jobs f
        where ${running('f')}
        order by f.worker_id, f.target limit 1
      ) lowest
      union all
      select j.worker_id, j.target from holders h
      join roster_jobs j on j.n = coalesce((
        select k.n from roster_jobs k
        where ${running('k')} and k.worker_id = h.worker_id and k.target > h.target
        order by k.target limit 1
      ), (
        select k.n from roster_jobs k
        where ${running('k')} and k.worker_id > h.worker_id
        order by k.worker_id, k.target limit 1
      ))
    )
    select held.worker_id, held.target, held.lease_until from (
      select h.worker_id, h.target, (
        select max(m.lease_until) from roster_jobs m
        where ${running('m')} and m.worker_id = h.worker_id and m.target = h.target
      ) as lease_until
      from holders h
    ) held
    where held.lease_until > ${now.toISOString()}`;
}

/** QueueStore.leaseHolders. */
export async function readLeaseHolders(db: Db, now: Date): Promise<LeaseHolder[]> {
  const { rows } = await leaseHoldersQuery(now).execute(db);
  return rows.map((row) => ({ workerId: row.worker_id, target: row.target, leaseUntil: String(row.lease_until) }));
}
