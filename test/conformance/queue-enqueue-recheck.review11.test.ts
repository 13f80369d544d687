import { describe, expect, it } from 'vitest';
import type { QueuedChange } from '../../src/store/queued-changes.js';
import { job } from '../../src/store/testing/builders.js';
import type { EnqueueJob, EnqueueOptions, Store } from '../../src/store/types.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * QueueStore.enqueue with `leaveOut` (store/enqueue.ts): the jobs' accounts'
 * unfinished jobs of other plans are read inside the insert's transaction,
 * and two enqueuers of the same target at once (two connections, two
 * processes) never both pass the check, on every back end.
 */
describe.each(storeBackEnds('roster-enqueue-recheck'))('queue enqueue re-check: $name (review11)', (backEnd) => {
  const { store, opened } = useOpenedStore(backEnd);

  /** Leaves out every job whose account has an unfinished job of another plan; audits the plan left out. */
  const leaveOutWaiting = (jobs: readonly EnqueueJob[], seen: QueuedChange[][] = []): EnqueueOptions['leaveOut'] => (waiting) => {
    seen.push([...waiting]);
    const keys = new Map(waiting.map((w) => [`${w.change.target}:${w.change.identity}`, w.planId]));
    const left = new Map(jobs.flatMap((j) => (keys.has(j.orderingKey) ? [[j.id, keys.get(j.orderingKey)!] as const] : [])));
    return { jobs: left, audit: [{ kind: 'plan.already_queued', actor: 'test', data: { planId: jobs[0]!.planId, leftOut: left.size } }] };
  };
  const batch = (planId: string, people: number) => Array.from({ length: people }, (_, i) => job(`${planId}:${i}`, 'app', `E${i}`, i, planId));
  const jobsOf = async (s: Store) => (await s.queue.unfinishedChanges({ targets: ['app'] })).map((w) => w.jobId);

  it('leaves out what another plan has waiting, reads only other plans, and audits in the same transaction', async () => {
    const queue = store().queue;
    expect(await queue.enqueue(batch('p1', 2))).toEqual({ leftOut: [] });
    const seen: QueuedChange[][] = [];
    const second = [...batch('p2', 3)];
    const result = await queue.enqueue(second, { leaveOut: leaveOutWaiting(second, seen) });
    expect(result.leftOut).toEqual([{ jobId: 'p2:0', queuedBy: 'p1' }, { jobId: 'p2:1', queuedBy: 'p1' }]);
    expect(seen.map((w) => w.map((one) => one.jobId))).toEqual([['p1:0', 'p1:1']]);
    expect(await jobsOf(store())).toEqual(['p1:0', 'p1:1', 'p2:2']);
    expect((await store().audit.list({ kind: 'plan.already_queued' })).map((e) => e.data)).toEqual([{ planId: 'p2', leftOut: 2 }]);
    // The plan's own jobs enqueued again are not another plan's: ignored by id, nothing left out, leaveOut not asked.
    const again = batch('p2', 3);
    const seenAgain: QueuedChange[][] = [];
    expect(await queue.enqueue(again, { leaveOut: leaveOutWaiting(again, seenAgain) })).toEqual({ leftOut: [{ jobId: 'p2:0', queuedBy: 'p1' }, { jobId: 'p2:1', queuedBy: 'p1' }] });
    expect(seenAgain.map((w) => w.map((one) => one.jobId))).toEqual([['p1:0', 'p1:1']]);
    expect(await jobsOf(store())).toEqual(['p1:0', 'p1:1', 'p2:2']);
    // Without leaveOut, enqueue is as it was: everything inserted.
    expect(await queue.enqueue(batch('p3', 1))).toEqual({ leftOut: [] });
    expect(await jobsOf(store())).toEqual(['p1:0', 'p1:1', 'p2:2', 'p3:0']);
  });

  it('of many plans with the same changes enqueued at once from two connections, exactly one gets in', async () => {
    const other = await opened().second();
    const people = 500;
    const plans = Array.from({ length: 8 }, (_, i) => batch(`race${i}`, people));
    const results = await Promise.all(plans.map((jobs, i) => (i % 2 === 0 ? store() : other).queue.enqueue(jobs, { leaveOut: leaveOutWaiting(jobs) })));
    const kept = results.map((r) => people - r.leftOut.length);
    // One plan wins every account (each enqueue is one transaction), the others leave them all out.
    expect(kept.sort((a, b) => b - a)).toEqual([people, 0, 0, 0, 0, 0, 0, 0]);
    expect(await jobsOf(store())).toHaveLength(people);
    expect(await store().audit.list({ kind: 'plan.already_queued' })).toHaveLength(7);
  });
});
