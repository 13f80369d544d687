import { CompiledQuery, sql, type Compilable } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { candidateQuery, type CandidateFilter } from '../../src/store/claim.js';
import { migrations } from '../../src/store/migrations.js';
import { jobCountQuery } from '../../src/store/queue.js';
import { job } from '../../src/store/testing/builders.js';
import type { Store } from '../../src/store/types.js';
import { storeBackEnds, type OpenedStore } from '../support/store-backends.js';

/**
 * The job queue's queries reach its partial indexes (migration 0006) on
 * every back end: the claim walks the pending (or running) index in order
 * with no sort, checks ordering keys in the unfinished index, and the
 * per-target counts read done and failed jobs from the finished index (and
 * cancelled ones from theirs, migration 0009). A
 * query whose status test no longer repeats the index predicate's literals
 * falls back to scanning every job ever run; these plans show it. The
 * history is 20,000 finished jobs, so a scan would cost.
 */
const HISTORY = 20_000;
const NOW = '2026-06-01T00:00:00.000Z';

/** HISTORY finished jobs of plan `old`, half per target, one in a hundred failed. */
const HISTORY_SQL = sql`
  with recursive c(i) as (select 1 union all select i + 1 from c where i < ${sql.lit(HISTORY)})
  insert into roster_jobs (id, plan_id, target, ordering_key, seq, change, status, attempts, next_run_at, created_at, updated_at)
  select 'old:' || i, 'old', case when i % 2 = 0 then 'app' else 'ldap' end, 'old:' || i, i, '{}',
    case when i % 100 = 0 then 'failed' else 'done' end, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
  from c`;

/** The index of 0001 that 0006 replaced, to rebuild the schema an upgrade starts from. */
const OLD_INDEXES = [
  sql`create index roster_jobs_runnable on roster_jobs (status, next_run_at, seq, n)`,
  sql`create index roster_jobs_leased on roster_jobs (status, lease_until, seq, n)`,
  sql`create index roster_jobs_ordering on roster_jobs (ordering_key, status)`,
  sql`create index roster_jobs_target on roster_jobs (target, status)`,
];
const NEW_INDEXES = ['roster_jobs_pending', 'roster_jobs_running', 'roster_jobs_unfinished', 'roster_jobs_finished'];

describe.each(storeBackEnds('roster-queue'))('queue indexes: $name', (backEnd) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backEnd.open();
    store = opened.store;
    await sql`${HISTORY_SQL}`.execute(opened.db);
    // 100 pending jobs of a new plan, the first five of them leased.
    await store.queue.enqueue(Array.from({ length: 100 }, (_, i) => job(`new:${i}`, i % 2 === 0 ? 'app' : 'ldap', `E${i}`, i, 'new')), { now: new Date(NOW) });
    await store.queue.claim({ workerId: 'w', limit: 5, leaseMs: 60_000, now: new Date(NOW) });
    if (store.dialect === 'postgres') await sql`analyze roster_jobs`.execute(opened.db);
  });

  afterEach(async () => {
    await opened.close();
  });

  async function planOf(query: Compilable): Promise<string> {
    const compiled = query.compile();
    const explain = store.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
    const result = await opened.db.executeQuery<Record<string, string>>(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
    return result.rows.map((row) => row.detail ?? row['QUERY PLAN']).join('\n');
  }

  const filter: CandidateFilter = { now: NOW, targets: ['app', 'ldap'], saturated: ['scim'], taken: ['new:7'], limit: 50 };

  it.each(['pending', 'running'] as const)('a claim walks the %s index in order and checks ordering keys in the unfinished one', async (state) => {
    const plan = await planOf(candidateQuery(opened.db, store.dialect, state, filter));
    expect(plan).toContain(`roster_jobs_${state}`);
    expect(plan).toContain('roster_jobs_unfinished');
    // SQLite follows the index's order; PostgreSQL may sort the few pending rows it found, but scans nothing.
    expect(plan).not.toMatch(store.dialect === 'sqlite' ? /TEMP B-TREE|SCAN [je]$/m : /Seq Scan/);
  });

  it('counts per target come from the finished, pending and running indexes, and are right', async () => {
    const plan = await planOf(jobCountQuery(opened.db, { target: 'app' }));
    for (const index of ['roster_jobs_finished', 'roster_jobs_pending', 'roster_jobs_running', 'roster_jobs_cancelled']) expect(plan).toContain(index);
    expect(plan).not.toMatch(/Seq Scan|SCAN roster_jobs$/m);
    // Even i are app's: 10,000 jobs, of which the 200 multiples of 100 failed; new: 50 app jobs, new:0, 2, 4 leased.
    expect(await store.queue.stats({ target: 'app' })).toEqual({ pending: 47, running: 3, done: 9_800, failed: 200, cancelled: 0 });
    expect(await store.queue.stats({ target: 'ldap' })).toEqual({ pending: 48, running: 2, done: 10_000, failed: 0, cancelled: 0 });
    expect(await store.queue.stats()).toEqual({ pending: 95, running: 5, done: 19_800, failed: 200, cancelled: 0 });
    expect(await store.queue.stats({ planId: 'new', target: 'app' })).toEqual({ pending: 47, running: 3, done: 0, failed: 0, cancelled: 0 });
  });

  it('upgrades a queue from the indexes of 0001: same counts, same claims, new plans', async () => {
    for (const name of NEW_INDEXES) await sql`drop index ${sql.id(name)}`.execute(opened.db);
    for (const statement of OLD_INDEXES) await statement.execute(opened.db);
    await migrations(store.dialect)['0006_job_partial_indexes']!.up(opened.db);
    if (store.dialect === 'postgres') await sql`analyze roster_jobs`.execute(opened.db);
    expect(await store.queue.stats()).toEqual({ pending: 95, running: 5, done: 19_800, failed: 200, cancelled: 0 });
    expect(await planOf(candidateQuery(opened.db, store.dialect, 'pending', filter))).toContain('roster_jobs_pending');
    const claimed = await store.queue.claim({ workerId: 'w2', limit: 10, leaseMs: 60_000, now: new Date(NOW) });
    expect(claimed.map((j) => j.id)).toEqual(['new:5', 'new:6', 'new:7', 'new:8', 'new:9', 'new:10', 'new:11', 'new:12', 'new:13', 'new:14']);
    expect(await store.queue.complete('new:0', 'w', {})).toBe(true);
    expect(await store.queue.stats({ target: 'app' })).toEqual({ pending: 42, running: 7, done: 9_801, failed: 200, cancelled: 0 });
  });
});
