import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { failuresKey, quarantineKey } from './quarantine.js';
import { create, plan, refusingProcess, TARGET } from './testing.js';

/**
 * Review 15: a target-wide error (RosterError.targetWide) quarantines the
 * target at once. A server that answers 401 to one resource only made that
 * one change quarantine the target again after every release, for ever,
 * and nothing else got through. The change whose error caused the released
 * quarantine is the target's suspect: meeting the error again while other
 * changes of the target succeed, it is failed on its own and the target
 * stays open; a target where every change fails (a wrong password) is
 * quarantined again as before, and nothing is failed for good.
 */

const people = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => create(`${prefix}${i}`));

describe.each(storeBackEnds('rqs15').filter((b) => b.name !== 'sqlite (memory)'))('the change that caused a target-wide quarantine ($name)', (backEnd) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    memoryTargets.clear();
  });
  const audit = (kind: string) => opened!.store.audit.list({ kind, limit: 100 });

  it('meeting the error again after the release while others succeed: failed on its own, the target not quarantined again', async () => {
    opened = await backEnd.open();
    const only = new Set(['bad']);
    const worker = refusingProcess(opened.store, 'w1', () => only);
    await worker.enqueuePlan(plan('p1', [create('bad'), ...people('ok', 5)]));
    expect(await worker.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 0, failed: 0 });
    expect(await opened.store.state.get(quarantineKey(TARGET))).toMatchObject({ changeId: 'app:bad:create', reason: expect.stringMatching(/401 Unauthorized for bad/) });

    // Released from another process (`roster quarantine release`), the cause not fixed (it is not the target's).
    expect(await refusingProcess(await opened.second(), 'operator', () => only).releaseQuarantine(TARGET, 'op')).toBe(true);
    expect(await opened.store.state.get(failuresKey(TARGET))).toEqual({ count: 0, changes: {}, suspect: { changeId: 'app:bad:create', othersSucceeded: false } });
    expect(await worker.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 5, failed: 1 });
    expect(await worker.isQuarantined(TARGET)).toBe(false);
    expect(await audit('target.quarantined')).toHaveLength(1);
    const [failed] = await audit('change.failed');
    expect(failed?.data).toMatchObject({
      changeId: 'app:bad:create', code: 'target.unavailable',
      error: expect.stringMatching(/401 Unauthorized for bad; this change caused the target-wide error twice .*failed on its own so the rest of the target can proceed/),
    });
    expect((memoryTargets.get(TARGET) as MemoryTarget).accounts.size).toBe(5);

    // The next run plans the same change again: it fails on its own at once, and the others go through.
    const next = refusingProcess(await opened.second(), 'w2', () => only);
    await next.enqueuePlan(plan('p2', [create('bad'), ...people('more', 3)]));
    expect(await next.runUntilIdle({ planId: 'p2' })).toEqual({ applied: 3, failed: 1 });
    expect(await next.isQuarantined(TARGET)).toBe(false);
    expect(await audit('target.quarantined')).toHaveLength(1);

    // Fixed: it succeeds, and is no longer the suspect.
    only.clear();
    await next.enqueuePlan(plan('p3', [create('bad')]));
    expect(await next.runUntilIdle({ planId: 'p3' })).toEqual({ applied: 1, failed: 0 });
    expect(await opened.store.state.get(failuresKey(TARGET))).toBeUndefined();
  });

  it('every change failing (a wrong password): quarantined again after the release, nothing failed for good or spent', async () => {
    opened = await backEnd.open();
    const all = new Set(['*']);
    const worker = refusingProcess(opened.store, 'w1', () => all);
    await worker.enqueuePlan(plan('pw', people('p', 6)));
    expect(await worker.runUntilIdle({ planId: 'pw' })).toEqual({ applied: 0, failed: 0 });
    expect(await worker.releaseQuarantine(TARGET, 'op')).toBe(true);
    expect(await worker.runUntilIdle({ planId: 'pw' })).toEqual({ applied: 0, failed: 0 });
    expect(await worker.isQuarantined(TARGET)).toBe(true);
    expect(await audit('target.quarantined')).toHaveLength(2);
    expect(await audit('change.failed')).toEqual([]);
    const jobs = await opened.store.queue.listByPlan('pw');
    expect(jobs.map((job) => [job.status, job.attempts])).toEqual(jobs.map(() => ['pending', 0]));

    all.clear();
    expect(await worker.releaseQuarantine(TARGET, 'op')).toBe(true);
    expect(await worker.runUntilIdle({ planId: 'pw' })).toEqual({ applied: 6, failed: 0 });
  });

  it('the suspect alone in the queue: quarantined again (nothing tells the two cases apart), and failed alone once others succeed', async () => {
    opened = await backEnd.open();
    const only = new Set(['bad']);
    const worker = refusingProcess(opened.store, 'w1', () => only);
    await worker.enqueuePlan(plan('a1', [create('bad')]));
    await worker.runUntilIdle({ planId: 'a1' });
    await worker.releaseQuarantine(TARGET, 'op');
    expect(await worker.runUntilIdle({ planId: 'a1' })).toEqual({ applied: 0, failed: 0 });
    expect(await worker.isQuarantined(TARGET)).toBe(true);
    expect(await audit('change.failed')).toEqual([]);

    await worker.enqueuePlan(plan('a2', people('ok', 2)));
    await worker.releaseQuarantine(TARGET, 'op');
    await worker.runUntilIdle({ planId: 'a2' });
    await worker.runUntilIdle({ planId: 'a1' });
    expect(await opened.store.queue.stats({ planId: 'a2' })).toMatchObject({ done: 2 });
    expect(await opened.store.queue.stats({ planId: 'a1' })).toMatchObject({ failed: 1, pending: 0, running: 0 });
    expect(await worker.isQuarantined(TARGET)).toBe(false);
  });
});
