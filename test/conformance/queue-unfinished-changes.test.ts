import { describe, expect, it } from 'vitest';
import { at, change, job } from '../../src/store/testing/builders.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * QueueStore.unfinishedChanges: the changes of the jobs pending or running
 * (what a new plan must not enqueue again), of some targets or of some
 * accounts' ordering keys, oldest first, on every back end; never a job done,
 * failed or cancelled.
 */
describe.each(storeBackEnds('roster-unfinished-changes'))('queue unfinishedChanges: $name', (backEnd) => {
  const { store } = useOpenedStore(backEnd);

  it('reads the pending and running jobs of the targets or accounts named, in enqueue order', async () => {
    const queue = store().queue;
    await queue.enqueue([job('d1', 'app', 'E1', 1, 'done-plan'), job('f1', 'app', 'E2', 1, 'failed-plan'), job('r1', 'app', 'E4', 1, 'running-plan')]);
    expect((await queue.claim({ workerId: 'w', limit: 3, leaseMs: 60_000, now: at(0), targets: ['app'] })).map((j) => j.id).sort()).toEqual(['d1', 'f1', 'r1']);
    await queue.enqueue([job('c1', 'app', 'E3', 1, 'cancelled-plan')]);
    await queue.enqueue([job('p2', 'app', 'E1', 2, 'pending-plan'), job('p1', 'app', 'E5', 1, 'pending-plan'), job('l1', 'ldap', 'E1', 1, 'ldap-plan')]);
    expect(await queue.complete('d1', 'w')).toBe(true);
    expect(await queue.fail('f1', 'rejected', null)).toBe(true);
    expect(await queue.cancel({ planId: 'cancelled-plan' })).toBe(1);

    const ids = (rows: Awaited<ReturnType<typeof queue.unfinishedChanges>>) => rows.map((r) => `${r.jobId}/${r.planId}/${r.status}`);
    const app = await queue.unfinishedChanges({ targets: ['app'] });
    expect(ids(app)).toEqual(['r1/running-plan/running', 'p2/pending-plan/pending', 'p1/pending-plan/pending']);
    expect(app[0]!.change).toEqual(change('app', 'E4'));
    expect(ids(await queue.unfinishedChanges({ targets: ['app', 'ldap'] }))).toHaveLength(4);
    expect(ids(await queue.unfinishedChanges({ orderingKeys: ['app:E1', 'ldap:E1', 'app:E2', 'app:E3'] }))).toEqual(['p2/pending-plan/pending', 'l1/ldap-plan/pending']);
    expect(await queue.unfinishedChanges({ targets: [] })).toEqual([]);
    expect(await queue.unfinishedChanges({ orderingKeys: [] })).toEqual([]);
    expect(await queue.unfinishedChanges({})).toEqual([]);
  });
});
