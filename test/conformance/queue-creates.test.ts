import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { at, change, job } from '../../src/store/testing/builders.js';
import type { EnqueueJob } from '../../src/store/types.js';
import { queryPlan, storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * QueueStore.createsUnderWay: the create jobs of a target that may have
 * added their account without having linked it yet. An orphan's delete or
 * disable reads it first (executor/apply-change.ts), so a joiner whose
 * link has not landed is never taken for an orphan.
 */
describe.each(storeBackEnds('roster-creates'))('queue: creates under way ($name)', (backEnd) => {
  const t = useOpenedStore(backEnd);

  const update = (id: string, who: string, seq: number): EnqueueJob => ({ ...job(id, 'app', who, seq), change: change('app', who, 'update') });

  it('running creates, and creates pending again after an attempt; not those never started, finished, released, or of another target', async () => {
    const store = t.store();
    await store.queue.enqueue([
      job('running', 'app', 'E1', 1), job('retried', 'app', 'E2', 2), job('done', 'app', 'E3', 3), job('released', 'app', 'E4', 4),
      job('failed', 'app', 'E5', 5), update('update', 'E6', 6), job('other', 'crm', 'E7', 7),
    ], { now: at(0) });
    const claimed = await store.queue.claim({ workerId: 'w', limit: 7, leaseMs: 1_000, now: at(0) });
    expect(claimed).toHaveLength(7);
    expect(await store.queue.complete('done', 'w')).toBe(true);
    expect(await store.queue.fail('retried', 'timeout', at(60_000), [], 'w')).toBe(true);
    expect(await store.queue.fail('failed', 'refused', null, [], 'w')).toBe(true);
    expect(await store.queue.release(['released'], 'w')).toBe(1);
    await store.queue.enqueue([job('waiting', 'app', 'E8', 8)], { now: at(0) });

    const creates = await store.queue.createsUnderWay('app');
    expect(creates.map((c) => c.jobId).sort()).toEqual(['retried', 'running']);
    expect(creates.find((c) => c.jobId === 'running')).toEqual({ jobId: 'running', planId: 'p1', change: change('app', 'E1') });
    expect((await store.queue.createsUnderWay('crm')).map((c) => c.jobId)).toEqual(['other']);
    expect(await store.queue.createsUnderWay('nowhere')).toEqual([]);
  });

  it('a running create whose lease ran out (its worker gone) is still under way', async () => {
    const store = t.store();
    await store.queue.enqueue([job('j1', 'app', 'E1', 1)], { now: at(0) });
    await store.queue.claim({ workerId: 'gone', limit: 1, leaseMs: 1_000, now: at(0) });
    // Long after the lease: nobody has taken the job over, so its account may be in the target unlinked.
    expect((await store.queue.createsUnderWay('app')).map((c) => c.jobId)).toEqual(['j1']);
  });

  it('reads the retrying jobs of a target from their index (0012), not every pending job', async () => {
    const opened = t.opened();
    const { store, db } = opened;
    // 20,000 pending jobs never started (due later), and one retrying create.
    await sql`
      with recursive c(i) as (select 1 union all select i + 1 from c where i < 20000)
      insert into roster_jobs (id, plan_id, target, ordering_key, seq, change, status, attempts, next_run_at, created_at, updated_at)
      select 'p:' || i, 'big', 'app', 'app:P' || i, i, '{"action":"create"}', 'pending', 0, '2031-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
      from c`.execute(db);
    await store.queue.enqueue([job('retry', 'app', 'E1', 1, 'p2')], { now: at(0) });
    await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 1_000, now: at(0), targets: ['app'] });
    if (store.dialect === 'postgres') await sql`analyze roster_jobs`.execute(db);
    expect(await store.queue.fail('retry', 'timeout', at(60_000), [], 'w')).toBe(true);
    expect((await store.queue.createsUnderWay('app')).map((c) => c.jobId)).toEqual(['retry']);
    const pending = db.selectFrom('roster_jobs').select(['id', 'plan_id', 'change']).where(sql<boolean>`status = ${sql.lit('pending')}`)
      .where('target', '=', 'app').where(sql<boolean>`attempts > ${sql.lit(0)}`);
    expect(await queryPlan(opened, pending)).toMatch(/roster_jobs_retrying/);
  });
});

