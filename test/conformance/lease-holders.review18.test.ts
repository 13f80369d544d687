import { CompiledQuery, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { leaseHoldersQuery } from '../../src/store/lease-holders.js';
import { migrations } from '../../src/store/migrations.js';
import type { LeaseHolder } from '../../src/store/types.js';
import { storeBackEnds, useOpenedStore, type OpenedStore } from '../support/store-backends.js';

/**
 * Review 18: QueueStore.leaseHolders, asked by GoneWorkers every few seconds
 * while claiming, grouped every running job (35-90 ms with 100,000 running on
 * either back end). It now walks the holders index (migration 0015) one worker
 * and target at a time. Here: the same answer as the grouping over every
 * running job, on a queue where a scan would read thousands of rows, and a
 * plan that reads only that index (and the primary key), never the table.
 */
const NOW = new Date('2026-06-01T00:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const RUNNING = 6_000;

/**
 * RUNNING running jobs over 5 workers and 3 targets (worker w4's leases all
 * ran out; w3's on ldap mixed, the latest live), plus done, pending and
 * failed jobs that still name a worker and must not count.
 */
const FILL = sql`
  with recursive c(i) as (select 1 union all select i + 1 from c where i < ${sql.lit(RUNNING + 3_000)})
  insert into roster_jobs (id, plan_id, target, ordering_key, seq, change, status, attempts, next_run_at, lease_until, worker_id, created_at, updated_at)
  select 'j:' || i, 'p', case i % 3 when 0 then 'app' when 1 then 'ldap' else 'scim' end, 'k:' || i, i, '{}',
    case when i <= ${sql.lit(RUNNING)} then 'running' when i % 3 = 0 then 'done' when i % 3 = 1 then 'pending' else 'failed' end, 1, ${at(-3_600_000)},
    case
      when i > ${sql.lit(RUNNING)} then ${at(7_200_000)}
      when i % 5 = 4 then ${at(-1_000)}
      when i % 5 = 3 and i % 3 = 1 and i % 7 <> 0 then ${at(-2_000)}
      else ${at(30_000)} || '.' || (i % 10) end,
    'w' || (i % 5), ${at(-3_600_000)}, ${at(-3_600_000)}
  from c`;

/** What leaseHolders answered before the index: every running job with a live lease, grouped. */
async function grouped(opened: OpenedStore): Promise<LeaseHolder[]> {
  const rows = await opened.db.selectFrom('roster_jobs').select(['worker_id', 'target', (eb) => eb.fn.max('lease_until').as('lease_until')])
    .where(sql<boolean>`status = 'running'`).where('lease_until', '>', NOW.toISOString()).groupBy(['worker_id', 'target']).execute();
  return rows.map((row) => ({ workerId: row.worker_id!, target: row.target, leaseUntil: String(row.lease_until) }));
}

const sorted = (holders: readonly LeaseHolder[]) => [...holders].sort((a, b) => `${a.workerId} ${a.target}`.localeCompare(`${b.workerId} ${b.target}`));

async function planOf(opened: OpenedStore): Promise<string> {
  const compiled = leaseHoldersQuery(NOW).compile(opened.db);
  const explain = opened.store.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
  const result = await opened.db.executeQuery<Record<string, string>>(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
  return result.rows.map((row) => row.detail ?? row['QUERY PLAN']).join('\n');
}

describe.each(storeBackEnds('rlh18'))('lease holders ($name)', (backEnd) => {
  const { opened, store } = useOpenedStore(backEnd);

  async function fill(): Promise<void> {
    await FILL.execute(opened().db);
    if (store().dialect === 'postgres') await sql`analyze roster_jobs`.execute(opened().db);
  }

  it('answers what grouping every running job answered', async () => {
    expect(await store().queue.leaseHolders(NOW)).toEqual([]);
    await fill();
    const holders = sorted(await store().queue.leaseHolders(NOW));
    expect(holders).toEqual(sorted(await grouped(opened())));
    // w4's leases all ran out; every other worker holds each target, with its latest lease end.
    expect(holders.map((h) => `${h.workerId}:${h.target}`)).toEqual(['w0', 'w1', 'w2', 'w3'].flatMap((w) => ['app', 'ldap', 'scim'].map((t) => `${w}:${t}`)));
    // Worker wK's live lease ends carry the suffix K or K + 5: the latest is K + 5, whatever the target.
    expect(holders.map((h) => h.leaseUntil)).toEqual(['5', '6', '7', '8'].flatMap((k) => [0, 1, 2].map(() => `${at(30_000)}.${k}`)));
    // A look after every lease ran out finds none.
    expect(await store().queue.leaseHolders(new Date(NOW.getTime() + 31_000))).toEqual([]);
  });

  it('reads the holders index, never every running job', async () => {
    await fill();
    const plan = await planOf(opened());
    expect(plan).toContain('roster_jobs_holders');
    // SQLite: every step a SEARCH (an index seek), none a SCAN of a table; PostgreSQL: no sequential scan, no sort.
    if (store().dialect === 'sqlite') expect(plan).not.toMatch(/SCAN (roster_jobs|[fkmj])\b|TEMP B-TREE/);
    else expect(plan).not.toMatch(/Seq Scan|Sort|HashAggregate|GroupAggregate/);
  });

  it('an upgraded store (0015 run on a queue made without its index) gives the same answer', async () => {
    await fill();
    await sql`drop index roster_jobs_holders`.execute(opened().db);
    const before = sorted(await store().queue.leaseHolders(NOW));
    await migrations(store().dialect)['0015_job_holders_index']!.up(opened().db);
    await migrations(store().dialect)['0015_job_holders_index']!.up(opened().db);
    if (store().dialect === 'postgres') await sql`analyze roster_jobs`.execute(opened().db);
    expect(sorted(await store().queue.leaseHolders(NOW))).toEqual(before);
    expect(await planOf(opened())).toContain('roster_jobs_holders');
  });
});
