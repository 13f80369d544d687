import { describe, expect, it } from 'vitest';
import { at, job } from '../../src/store/testing/builders.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * QueueStore.unfinishedPlans: the plans a cancel of a target covers (their
 * jobs pending or running on it), on every back end; not the plans whose
 * jobs there are all done, failed or cancelled, nor another target's.
 */
describe.each(storeBackEnds('roster-unfinished-plans'))('queue unfinishedPlans: $name', (backEnd) => {
  const { store } = useOpenedStore(backEnd);

  it('names each plan with a pending or running job on the target once', async () => {
    const queue = store().queue;
    await queue.enqueue([
      job('a1', 'app', 'E1', 1, 'running'), job('a2', 'app', 'E2', 2, 'pending'), job('a3', 'app', 'E3', 3, 'pending'),
      job('a4', 'app', 'E4', 4, 'done'), job('a5', 'app', 'E5', 5, 'cancelled'), job('l1', 'ldap', 'E1', 6, 'other-target'),
    ]);
    expect(await queue.claim({ workerId: 'w', limit: 2, leaseMs: 60_000, now: at(0), targets: ['app'] })).toHaveLength(2);
    expect(await queue.complete('a4', 'w')).toBe(false);
    // a1 and a2 are leased (running); finish a2 by hand, then lease and finish a4.
    expect(await queue.complete('a2', 'w')).toBe(true);
    expect(await queue.cancel({ planId: 'cancelled' })).toBe(1);
    expect((await queue.claim({ workerId: 'w', limit: 2, leaseMs: 60_000, now: at(0), targets: ['app'] })).map((j) => j.id)).toEqual(['a3', 'a4']);
    expect(await queue.release(['a3'], 'w')).toBe(1);
    expect(await queue.complete('a4', 'w')).toBe(true);
    expect((await queue.unfinishedPlans('app')).sort()).toEqual(['pending', 'running']);
    expect(await queue.unfinishedPlans('ldap')).toEqual(['other-target']);
    expect(await queue.unfinishedPlans('nowhere')).toEqual([]);
  });
});
