import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import type { Change } from '../../src/core/types.js';
import type { WithdrawnChange } from '../../src/core/withdrawn.js';
import { change } from '../../src/store/testing/builders.js';
import type { EnqueueJob, Store } from '../../src/store/types.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * Review 22: QueueStore.enqueue with `withdraw` (store/withdraw.ts) cancels
 * the queued changes a plan withdraws in the transaction that queues the
 * plan, or refuses the whole plan as stale when one has started; a worker
 * claiming the change at the same moment (another connection, another
 * process) never both runs it and sees it withdrawn.
 */
describe.each(storeBackEnds('roster-withdraw'))('queue withdraw: $name (review22)', (backEnd) => {
  const { store, opened } = useOpenedStore(backEnd);

  const deleteOf = (who: string): Change => ({ ...change('app', who, 'delete'), before: { accountId: `app-${who}` }, after: null, reasons: ['leaver.terminated'] });
  const enableOf = (who: string): Change => ({ ...change('app', who, 'enable'), before: { accountId: `app-${who}`, enabled: false }, after: { accountId: `app-${who}`, enabled: true }, reasons: ['active'] });
  const jobOf = (planId: string, c: Change, seq = 0): EnqueueJob => ({ id: `${planId}:${c.id}`, planId, change: c, target: c.target, orderingKey: `${c.target}:${c.identity}`, seq });
  const withdrawal = (planId: string, withdrawn: readonly Change[], queuedBy = 'p1') => ({
    planId, actor: 'test', changes: withdrawn.map((c): WithdrawnChange => ({ jobId: `${queuedBy}:${c.id}`, queuedBy, change: c, reasons: ['queued.withdrawn', 'active'] })),
  });
  const statusOf = async (s: Store, jobId: string) => (await s.queue.get(jobId))?.status;

  it('cancels a pending delete with the plan\'s jobs and audits it naming the plan; alone too', async () => {
    const queue = store().queue;
    await queue.enqueue([jobOf('p1', deleteOf('E1')), jobOf('p1', deleteOf('E2'), 1)]);
    const result = await queue.enqueue([jobOf('p2', enableOf('E1'))], { withdraw: withdrawal('p2', [deleteOf('E1')]) });
    expect(result).toEqual({ leftOut: [], withdrawn: ['p1:app:E1:delete'] });
    expect(await statusOf(store(), 'p1:app:E1:delete')).toBe('cancelled');
    expect(await statusOf(store(), 'p2:app:E1:enable')).toBe('pending');
    const audit = await store().audit.list({ kind: 'queue.withdrawn' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'test', identity: 'E1', target: 'app', reasons: ['queued.withdrawn', 'active'],
      data: { planId: 'p2', jobId: 'p1:app:E1:delete', queuedBy: 'p1', changeId: 'app:E1:delete', action: 'delete', queuedReasons: ['leaver.terminated'] },
    });
    // A plan that only withdraws (no jobs of its own).
    expect(await queue.enqueue([], { withdraw: withdrawal('p3', [deleteOf('E2')]) })).toEqual({ leftOut: [], withdrawn: ['p1:app:E2:delete'] });
    expect(await statusOf(store(), 'p1:app:E2:delete')).toBe('cancelled');
    expect((await queue.stats()).cancelled).toBe(2);
  });

  it('a delete a worker has started makes the plan stale: nothing of it is queued, nothing withdrawn or audited', async () => {
    const queue = store().queue;
    await queue.enqueue([jobOf('p1', deleteOf('E1')), jobOf('p1', deleteOf('E3'), 1)]);
    const claimed = await queue.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
    expect(claimed.map((j) => j.id)).toEqual(['p1:app:E1:delete']);
    const refused = await queue.enqueue([jobOf('p2', enableOf('E1')), jobOf('p2', enableOf('E3'), 1)], {
      withdraw: withdrawal('p2', [deleteOf('E3'), deleteOf('E1')]),
    }).then(() => undefined, (error: unknown) => error);
    expect(isRosterError(refused, 'plan.stale')).toBe(true);
    // Rolled back as one: E3's delete (cancelled before E1's was found running) is pending again, no job of p2 is in.
    expect(await statusOf(store(), 'p1:app:E3:delete')).toBe('pending');
    expect(await statusOf(store(), 'p1:app:E1:delete')).toBe('running');
    expect(await queue.listByPlan('p2')).toEqual([]);
    expect(await store().audit.list({ kind: 'queue.withdrawn' })).toEqual([]);
  });

  it('a delete no longer waiting otherwise (failed for good, cancelled) is left as it is; the plan is queued', async () => {
    const queue = store().queue;
    await queue.enqueue([jobOf('p1', deleteOf('E1'))]);
    const [claimed] = await queue.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
    expect(await queue.fail(claimed!.id, 'no such object', null, [], 'w1')).toBe(true);
    const result = await queue.enqueue([jobOf('p2', enableOf('E1'))], { withdraw: withdrawal('p2', [deleteOf('E1')]) });
    expect(result).toEqual({ leftOut: [], withdrawn: [] });
    expect(await statusOf(store(), 'p1:app:E1:delete')).toBe('failed');
    expect(await statusOf(store(), 'p2:app:E1:enable')).toBe('pending');
    expect(await store().audit.list({ kind: 'queue.withdrawn' })).toEqual([]);
  });

  it('a worker claiming while another connection withdraws: the delete either runs (plan stale) or is withdrawn, never both, never neither', async () => {
    const other = await opened().second();
    const people = 40;
    const ids = Array.from({ length: people }, (_, i) => `R${i}`);
    await store().queue.enqueue(ids.map((who, i) => jobOf('p1', deleteOf(who), i)));
    const outcomes = await Promise.all(ids.map(async (who, i) => {
      const enqueue = other.queue.enqueue([jobOf(`p2-${who}`, enableOf(who))], { withdraw: withdrawal(`p2-${who}`, [deleteOf(who)]) })
        .then((r) => r.withdrawn ?? [], (error: unknown) => (isRosterError(error, 'plan.stale') ? 'stale' as const : Promise.reject(error)));
      const claim = i % 2 === 0 ? store().queue.claim({ workerId: `w${i}`, limit: 1, leaseMs: 60_000, targets: ['app'] }) : Promise.resolve([]);
      const [withdrawn, claimed] = await Promise.all([enqueue, claim]);
      return { who, withdrawn, claimed: claimed.map((j) => j.id) };
    }));
    const claimedAll = new Set(outcomes.flatMap((o) => o.claimed));
    for (const { who, withdrawn } of outcomes) {
      const jobId = `p1:app:${who}:delete`;
      const status = await statusOf(store(), jobId);
      if (withdrawn === 'stale') {
        // Started by a worker: the plan queued nothing.
        expect(status).toBe('running');
        expect(claimedAll.has(jobId)).toBe(true);
        expect(await store().queue.listByPlan(`p2-${who}`)).toEqual([]);
      } else {
        expect(withdrawn).toEqual([jobId]);
        expect(status).toBe('cancelled');
        expect(claimedAll.has(jobId)).toBe(false);
        // The plan's own job is in: pending, or already claimed by one of the racing workers (a claim takes any pending job).
        const queued = await store().queue.listByPlan(`p2-${who}`);
        expect(queued).toHaveLength(1);
        expect(queued[0]!.status === 'pending' || (queued[0]!.status === 'running' && claimedAll.has(queued[0]!.id))).toBe(true);
      }
    }
    // Every withdrawal audited once, none for a delete that ran.
    const audited = (await store().audit.list({ kind: 'queue.withdrawn' })).map((e) => (e.data as { jobId: string }).jobId).sort();
    expect(audited).toEqual(outcomes.filter((o) => o.withdrawn !== 'stale').map((o) => `p1:app:${o.who}:delete`).sort());
  });
});
