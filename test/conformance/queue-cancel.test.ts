import { describe, expect, it } from 'vitest';
import { at, job } from '../../src/store/testing/builders.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

const lease = { leaseMs: 60_000, now: at(0) };

/**
 * An operator's cancel of queued work (`roster queue cancel`, POST
 * /plans/{id}/cancel), on every back end: only pending jobs (and those the
 * cancelling worker leased and never started) are cancelled, with their
 * audit entry in the same transaction; a cancelled job is counted, and never
 * holds back the later jobs of its account.
 */
describe.each(storeBackEnds('roster-cancel'))('queue cancel: $name', (backEnd) => {
  const { store, opened } = useOpenedStore(backEnd);

  it('audits the cancel with its count in the same write, and writes nothing when nothing was pending', async () => {
    await store().queue.enqueue([job('a1', 'app', 'E1', 1), job('a2', 'app', 'E2', 2), job('a3', 'ldap', 'E3', 3)]);
    const audit = { kind: 'queue.cancelled', actor: 'cli:ops', data: { planId: 'p1', reason: 'wrong plan' } };
    expect(await store().queue.cancel({ planId: 'p1', target: 'app' }, { audit: { ...audit, target: 'app' } })).toBe(2);
    expect(await store().queue.cancel({ planId: 'p1', target: 'app' }, { audit })).toBe(0);
    const entries = await store().audit.list();
    expect(entries.map((e) => ({ kind: e.kind, actor: e.actor, target: e.target, data: e.data }))).toEqual([
      { kind: 'queue.cancelled', actor: 'cli:ops', target: 'app', data: { planId: 'p1', reason: 'wrong plan', cancelled: 2 } },
    ]);
    expect(await store().queue.stats({ target: 'app' })).toEqual({ pending: 0, running: 0, done: 0, failed: 0, cancelled: 2 });
    expect(await store().queue.stats({ target: 'ldap' })).toEqual({ pending: 1, running: 0, done: 0, failed: 0, cancelled: 0 });
    expect(await store().queue.stats()).toEqual({ pending: 1, running: 0, done: 0, failed: 0, cancelled: 2 });
  });

  it('leaves running jobs to finish, and cancels the leased ones the worker names as not started (its attempt undone)', async () => {
    const other = await opened().second();
    await store().queue.enqueue(['E1', 'E2', 'E3', 'E4', 'E5'].map((who, i) => job(`j${i + 1}`, 'app', who, i + 1)));
    await store().queue.claim({ workerId: 'w', limit: 3, ...lease });
    await other.queue.claim({ workerId: 'x', limit: 1, ...lease });
    // w runs j1, has j2 and j3 leased but not started; x runs j4; j5 is pending. w names j2, j3 and x's j4.
    const count = await other.queue.cancel({ planId: 'p1' }, { leased: { workerId: 'w', jobIds: ['j2', 'j3', 'j4'] } });
    expect(count).toBe(3);
    const states = new Map((await store().queue.listStatesByPlan('p1')).map((j) => [j.id, j]));
    expect([...states].map(([id, j]) => [id, j.status])).toEqual([
      ['j1', 'running'], ['j2', 'cancelled'], ['j3', 'cancelled'], ['j4', 'running'], ['j5', 'cancelled'],
    ]);
    expect(states.get('j2')).toMatchObject({ attempts: 0 });
    expect(states.get('j2')?.leaseUntil).toBeUndefined();
    // The running jobs still complete, and a late completion of a cancelled one records nothing.
    expect(await store().queue.complete('j1', 'w')).toBe(true);
    expect(await other.queue.complete('j4', 'x')).toBe(true);
    expect(await store().queue.complete('j2', 'w')).toBe(false);
    expect(await store().queue.stats({ planId: 'p1' })).toEqual({ pending: 0, running: 0, done: 2, failed: 0, cancelled: 3 });
  });

  it('a cancelled job holds back nothing: the next job of the same account (another plan) becomes claimable', async () => {
    await store().queue.enqueue([job('p1:E1:a', 'app', 'E1', 1), job('p1:E1:b', 'app', 'E1', 2)]);
    await store().queue.enqueue([job('p2:E1', 'app', 'E1', 1, 'p2'), job('p2:E2', 'app', 'E2', 2, 'p2')]);
    const first = await store().queue.claim({ workerId: 'w', limit: 10, ...lease });
    expect(first.map((j) => j.id)).toEqual(['p1:E1:a', 'p2:E2']);
    // p1's second change to E1 waits behind its first; p2's waits behind both. Cancel p1: its pending one goes.
    expect(await store().queue.cancel({ planId: 'p1' })).toBe(1);
    expect(await store().queue.claim({ workerId: 'w', limit: 10, ...lease })).toEqual([]);
    expect(await store().queue.complete('p1:E1:a', 'w')).toBe(true);
    expect((await store().queue.claim({ workerId: 'w', limit: 10, ...lease })).map((j) => j.id)).toEqual(['p2:E1']);
  });

  it('a target\'s cancel leaves other targets\' jobs, and a failed job stays failed', async () => {
    await store().queue.enqueue([job('a1', 'app', 'E1', 1), job('l1', 'ldap', 'E1', 2), job('a2', 'app', 'E2', 3)]);
    await store().queue.claim({ workerId: 'w', limit: 1, ...lease, targets: ['app'] });
    expect(await store().queue.fail('a1', 'refused', null, [], 'w')).toBe(true);
    expect(await store().queue.cancel({ target: 'app' })).toBe(1);
    expect((await store().queue.listStatesByPlan('p1')).map((j) => [j.id, j.status])).toEqual([['a1', 'failed'], ['l1', 'pending'], ['a2', 'cancelled']]);
    expect(await store().queue.createsUnderWay('app')).toEqual([]);
  });
});
