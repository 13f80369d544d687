import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { account, at, job } from '../../src/store/testing/builders.js';
import type { Store } from '../../src/store/types.js';
import { storeBackEnds, type OpenedStore } from '../support/store-backends.js';

/**
 * The queue under the races a review found (review 6): every back end, a
 * second connection (another process, in effect) where the database is shared.
 */
describe.each(storeBackEnds('roster-review6'))('queue (review 6): $name', (backEnd) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backEnd.open();
    store = opened.store;
  });

  afterEach(async () => {
    await opened.close();
  });

  it('an old worker whose lease was taken over cannot fail the job: the new lease, the account\'s order and the new completion stand', async () => {
    const other = await opened.second();
    await store.queue.enqueue([job('k1', 'app', 'E1', 1), job('k2', 'app', 'E1', 2)]);
    await store.queue.claim({ workerId: 'old', limit: 5, leaseMs: 1_000, now: at(0) });
    const [taken] = await other.queue.claim({ workerId: 'new', limit: 5, leaseMs: 60_000, now: at(1_000) });
    expect(taken).toMatchObject({ id: 'k1', attempts: 2 });

    // The old worker's connector call fails late: for good, then as a retry. Neither may touch the new lease.
    expect(await store.queue.fail('k1', 'rejected late', null, [{ kind: 'change.failed', actor: 'executor:old' }], 'old')).toBe(false);
    expect(await store.queue.fail('k1', 'timeout late', at(5_000), [], 'old')).toBe(false);
    expect(await store.queue.get('k1')).toMatchObject({ status: 'running', attempts: 2, leaseUntil: at(61_000).toISOString() });
    expect(await store.audit.list()).toEqual([]);
    // k1 still runs: k2, the account's next change, must wait for it.
    expect(await store.queue.claim({ workerId: 'third', limit: 5, leaseMs: 60_000, now: at(2_000) })).toEqual([]);

    expect(await other.queue.complete('k1', 'new', { upsertAccount: account('app', 'E1') })).toBe(true);
    expect(await store.accounts.get('app', 'E1')).toMatchObject({ accountId: 'app-E1' });
    expect((await store.queue.claim({ workerId: 'third', limit: 5, leaseMs: 60_000, now: at(2_000) })).map((j) => j.id)).toEqual(['k2']);
    // The worker that holds the lease still records its failures; without a worker, as before, whoever runs it.
    expect(await store.queue.fail('k2', 'boom', at(9_000), [], 'third')).toBe(true);
    expect(await store.queue.get('k2')).toMatchObject({ status: 'pending', lastError: 'boom' });
  });

  it('carries odd ids (quotes, backslashes, LIKE wildcards, JSON escapes, emoji, combining marks, 2,000 characters) through every queue call', async () => {
    const odd = ['it\'s "q"', 'back\\slash', '100%_like', 'tab\there\u0001\u001f', 'emoji 🧑‍💻 𝔘', 'e\u0301 vs é', 'x'.repeat(2_000), '[1,2]', 'null'];
    const plan = 'plan "ö" 🗂';
    await store.queue.enqueue(odd.map((id, i) => job(`${plan}:${id}`, 'tárget ✓', `who ${id}`, i, plan)));
    const claimed = await store.queue.claim({ workerId: 'wörker "1"', limit: 100, leaseMs: 60_000, now: at(0), targets: ['tárget ✓'], perTarget: { 'tárget ✓': 100 } });
    expect(claimed.map((j) => j.id)).toEqual(odd.map((id) => `${plan}:${id}`));
    const [first, second, third, ...rest] = claimed.map((j) => j.id);
    expect(await store.queue.release([first!], 'wörker "1"')).toBe(1);
    expect(await store.queue.fail(second!, 'boom', null, [], 'wörker "1"')).toBe(true);
    expect(await store.queue.fail(third!, 'later', at(1), [], 'wörker "1"')).toBe(true);
    expect(await store.queue.completeMany('wörker "1"', rest.map((jobId) => ({ jobId })))).toEqual(rest.map(() => true));
    expect(await store.queue.stats({ planId: plan, target: 'tárget ✓' })).toEqual({ pending: 2, running: 0, done: rest.length, failed: 1, cancelled: 0 });
    expect(await store.queue.cancel({ planId: plan })).toBe(2);
    expect((await store.queue.listStatesByPlan(plan)).map((j) => [j.id, j.status])).toEqual(odd.map((id, i) => [
      `${plan}:${id}`, i === 1 ? 'failed' : i < 3 ? 'cancelled' : 'done',
    ]));
  });

  it('claims racing without per-target limits (no claim lock: SKIP LOCKED alone) never lease a job twice nor two jobs of one account at once', async () => {
    const stores = [store, await opened.second(), await opened.second(), await opened.second()];
    const total = 240;
    // 40 accounts, six changes each, in one plan and then another.
    await store.queue.enqueue(Array.from({ length: total / 2 }, (_, i) => job(`a${i}`, 'app', `E${i % 40}`, i, 'pa')));
    await store.queue.enqueue(Array.from({ length: total / 2 }, (_, i) => job(`b${i}`, 'app', `E${i % 40}`, i, 'pb')));
    const leased = new Map<string, string>();
    const runningKeys = new Set<string>();
    const order = new Map<string, string[]>();
    const violations: string[] = [];
    const worker = async (s: Store, workerId: string): Promise<void> => {
      for (let idle = 0; idle < 50;) {
        const jobs = await s.queue.claim({ workerId, limit: 3, leaseMs: 60_000 });
        if (jobs.length === 0) {
          if ((await s.queue.stats()).pending === 0) return;
          idle += 1;
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        for (const j of jobs) {
          if (leased.has(j.id)) violations.push(`${j.id} leased to ${leased.get(j.id)} and ${workerId}`);
          if (runningKeys.has(j.orderingKey)) violations.push(`${j.orderingKey} running twice (${j.id})`);
          leased.set(j.id, workerId);
          runningKeys.add(j.orderingKey);
        }
        await new Promise((r) => setTimeout(r, 1));
        for (const j of jobs) {
          // The key is free before the completion commits: another claim may only see it once it has.
          runningKeys.delete(j.orderingKey);
          order.set(j.orderingKey, [...(order.get(j.orderingKey) ?? []), j.id]);
          expect(await s.queue.complete(j.id, workerId)).toBe(true);
        }
      }
    };
    await Promise.all(stores.map((s, i) => worker(s, `w${i}`)));
    expect(violations).toEqual([]);
    expect(leased.size).toBe(total);
    for (const [key, ids] of order) {
      const n = Number(key.slice('app:E'.length));
      const expected = [...Array.from({ length: 3 }, (_, k) => `a${n + 40 * k}`), ...Array.from({ length: 3 }, (_, k) => `b${n + 40 * k}`)];
      expect(ids, key).toEqual(expected);
    }
  });

  it('a cancel racing claims: no job ends both leased and cancelled', async () => {
    const stores = [store, await opened.second(), await opened.second()];
    await store.queue.enqueue(Array.from({ length: 300 }, (_, i) => job(`c${i}`, 'app', `E${i}`, i)));
    const claimed: string[] = [];
    const claims = stores.map(async (s, i) => {
      for (let round = 0; round < 20; round++) claimed.push(...(await s.queue.claim({ workerId: `w${i}`, limit: 5, leaseMs: 60_000 })).map((j) => j.id));
    });
    const cancelled = (async () => {
      await new Promise((r) => setTimeout(r, 5));
      return stores[1]!.queue.cancel({ planId: 'p1' });
    })();
    await Promise.all(claims);
    const count = await cancelled;
    const states = await store.queue.listStatesByPlan('p1');
    const byId = new Map(states.map((j) => [j.id, j.status]));
    expect(new Set(claimed).size).toBe(claimed.length);
    for (const id of claimed) expect(byId.get(id), id).toBe('running');
    expect(states.filter((j) => j.status === 'cancelled')).toHaveLength(count);
    expect(claimed.length + count).toBe(300);
  });

  it('renews only the live or lapsed leases its worker still holds, never shortening one, in one call', async () => {
    const other = await opened.second();
    await store.queue.enqueue([job('r1', 'app', 'E1', 1), job('r2', 'app', 'E2', 2), job('r3', 'app', 'E3', 3), job('r4', 'app', 'E4', 4)]);
    await store.queue.claim({ workerId: 'w', limit: 4, leaseMs: 1_000, now: at(0) });
    expect(await store.queue.complete('r2', 'w')).toBe(true);
    // The leases ran out: another worker took r1; nobody took r3 and r4 yet.
    expect((await other.queue.claim({ workerId: 'x', limit: 1, leaseMs: 60_000, now: at(2_000) })).map((j) => j.id)).toEqual(['r1']);
    expect(await store.queue.renew(['r1', 'r2', 'r3', 'r4', 'missing'], 'w', at(30_000))).toBe(2);
    expect(await store.queue.get('r1')).toMatchObject({ status: 'running', attempts: 2, leaseUntil: at(62_000).toISOString() });
    expect(await store.queue.get('r2')).toMatchObject({ status: 'done' });
    expect((await store.queue.get('r3'))!.leaseUntil).toBe(at(30_000).toISOString());
    expect((await store.queue.get('r4'))!.leaseUntil).toBe(at(30_000).toISOString());
    expect(await other.queue.renew(['r1'], 'x', at(20_000))).toBe(0);
    expect((await store.queue.get('r1'))!.leaseUntil).toBe(at(62_000).toISOString());
    expect(await store.queue.renew([], 'w', at(90_000))).toBe(0);
    // Renewed, r3 and r4 are no longer anyone else's to take.
    expect(await other.queue.claim({ workerId: 'y', limit: 5, leaseMs: 60_000, now: at(25_000) })).toEqual([]);
  });
});
