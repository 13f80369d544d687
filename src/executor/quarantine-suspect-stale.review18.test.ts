import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import type { Executor } from './executor.js';
import { failuresKey, quarantineKey } from './quarantine.js';
import { afterSuccess, OTHERS_SUCCEEDED_WITHIN_MS, SUCCESS_RESTAMP_MS, suspectOf, verdictFor, type Suspect } from './quarantine-suspect.js';
import { create, plan, refusingProcess, TARGET } from './testing.js';

/**
 * Review 18: the suspect of a released target-wide quarantine
 * (quarantine-suspect.ts) was failed alone whenever it met the error again
 * once any other change of the target had succeeded since the release, however
 * long ago. A real outage much later (the server answering 401 to everything an
 * hour on), met by the suspect alone in the queue, failed the suspect and left
 * the target open. Another change's success now counts only when recent before
 * the suspect's failure (OTHERS_SUCCEEDED_WITHIN_MS).
 */

const people = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => create(`${prefix}${i}`));

describe.each(storeBackEnds('rqst18').filter((b) => b.name !== 'sqlite (memory)'))('the suspect meeting an outage long after others succeeded ($name)', (backEnd) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    memoryTargets.clear();
  });
  const audit = (kind: string) => opened!.store.audit.list({ kind, limit: 100 });

  /** `bad` quarantined the target, was released without a fix, and failed alone while the others succeeded; returns the refusing set. */
  async function failedAlone(worker: Executor, refusing: Set<string>): Promise<void> {
    await worker.enqueuePlan(plan('p1', [create('bad'), ...people('ok', 5)]));
    expect(await worker.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 0, failed: 0 });
    expect(await worker.releaseQuarantine(TARGET, 'op')).toBe(true);
    expect(await worker.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 5, failed: 1 });
    expect(await audit('change.failed')).toHaveLength(1);
    expect(await worker.isQuarantined(TARGET)).toBe(false);
    expect(refusing.has('bad')).toBe(true);
  }

  it('two hours on, everything refused and the suspect alone in the queue: the target is quarantined, the suspect not failed', async () => {
    opened = await backEnd.open();
    const refusing = new Set(['bad']);
    let offsetMs = 0;
    const worker = refusingProcess(opened.store, 'w1', () => refusing, () => new Date(Date.now() + offsetMs));
    await failedAlone(worker, refusing);

    // Two hours later the server refuses everything (a real outage); the next run plans `bad` again, alone.
    offsetMs = 2 * 60 * 60_000;
    refusing.add('*');
    await worker.enqueuePlan(plan('p2', [create('bad')]));
    expect(await worker.runUntilIdle({ planId: 'p2' })).toEqual({ applied: 0, failed: 0 });
    expect(await worker.isQuarantined(TARGET)).toBe(true);
    expect(await opened.store.state.get(quarantineKey(TARGET))).toMatchObject({ changeId: 'app:bad:create', reason: expect.stringMatching(/401 Unauthorized for bad/) });
    expect(await audit('target.quarantined')).toHaveLength(2);
    expect(await audit('change.failed')).toHaveLength(1);
    expect((await opened.store.queue.listByPlan('p2')).map((job) => [job.status, job.attempts])).toEqual([['pending', 0]]);
  });

  it('two hours on with others queued behind it: the suspect waits behind them, and the first of them to meet the outage quarantines the target', async () => {
    opened = await backEnd.open();
    const refusing = new Set(['bad']);
    let offsetMs = 0;
    const worker = refusingProcess(opened.store, 'w1', () => refusing, () => new Date(Date.now() + offsetMs));
    await failedAlone(worker, refusing);

    offsetMs = 2 * 60 * 60_000;
    refusing.add('*');
    await worker.enqueuePlan(plan('p2', [create('bad'), ...people('late', 2)]));
    expect(await worker.runUntilIdle({ planId: 'p2' })).toEqual({ applied: 0, failed: 0 });
    expect(await worker.isQuarantined(TARGET)).toBe(true);
    expect(await opened.store.state.get(quarantineKey(TARGET))).toMatchObject({ changeId: expect.stringMatching(/^app:late\d:create$/) });
    expect(await audit('change.failed')).toHaveLength(1);
    expect((await opened.store.queue.listByPlan('p2')).every((job) => job.status === 'pending')).toBe(true);
  });

  it('a few minutes on, the others\' success still recent: the next run\'s plan of the suspect fails alone, as before', async () => {
    opened = await backEnd.open();
    const refusing = new Set(['bad']);
    let offsetMs = 0;
    const worker = refusingProcess(opened.store, 'w1', () => refusing, () => new Date(Date.now() + offsetMs));
    await failedAlone(worker, refusing);

    offsetMs = 5 * 60_000;
    await worker.enqueuePlan(plan('p2', [create('bad')]));
    expect(await worker.runUntilIdle({ planId: 'p2' })).toEqual({ applied: 0, failed: 1 });
    expect(await worker.isQuarantined(TARGET)).toBe(false);
    expect(await audit('target.quarantined')).toHaveLength(1);
    expect(await opened.store.state.get(failuresKey(TARGET))).toMatchObject({ suspect: { changeId: 'app:bad:create', othersSucceeded: true, othersSucceededAt: expect.any(String) } });
  });
});

describe('the suspect\'s mark of others\' success', () => {
  const T = Date.parse('2026-06-01T12:00:00.000Z');
  const at = (ms: number) => new Date(T + ms);
  const marked = (ms: number): Suspect => ({ changeId: 'c', othersSucceeded: true, othersSucceededAt: at(ms).toISOString() });
  const waiting = (answer: boolean) => () => Promise.resolve(answer);

  it('counts only a success within OTHERS_SUCCEEDED_WITHIN_MS before the failure (one ahead of the clock counts too)', async () => {
    expect(await verdictFor(marked(0), 'c', at(OTHERS_SUCCEEDED_WITHIN_MS), waiting(false))).toBe('fail-alone');
    expect(await verdictFor(marked(0), 'c', at(-5_000), waiting(false))).toBe('fail-alone');
    expect(await verdictFor(marked(0), 'c', at(OTHERS_SUCCEEDED_WITHIN_MS + 1), waiting(false))).toBe('quarantine');
    expect(await verdictFor(marked(0), 'c', at(OTHERS_SUCCEEDED_WITHIN_MS + 1), waiting(true))).toBe('put-behind');
    expect(await verdictFor(marked(0), 'other', at(0), waiting(true))).toBe('quarantine');
  });

  it('a mark stored without its time (written before it was kept) counts as old, and the next success stamps it', async () => {
    const legacy = suspectOf({ changeId: 'c', othersSucceeded: true });
    expect(legacy).toEqual({ changeId: 'c', othersSucceeded: true });
    expect(await verdictFor(legacy, 'c', at(0), waiting(false))).toBe('quarantine');
    expect(afterSuccess(legacy, 'x', at(0))).toEqual(marked(0));
    expect(suspectOf({ changeId: 'c', othersSucceeded: true, othersSucceededAt: 'garbage' })).toEqual({ changeId: 'c', othersSucceeded: true });
  });

  it('a success restamps the mark only once it is SUCCESS_RESTAMP_MS old; the suspect\'s own success clears it', () => {
    const mark = marked(0);
    expect(afterSuccess(mark, 'x', at(SUCCESS_RESTAMP_MS - 1))).toBe(mark);
    expect(afterSuccess(mark, 'x', at(SUCCESS_RESTAMP_MS))).toEqual(marked(SUCCESS_RESTAMP_MS));
    expect(afterSuccess({ changeId: 'c', othersSucceeded: false }, 'x', at(0))).toEqual(marked(0));
    expect(afterSuccess(mark, 'c', at(0))).toBeUndefined();
  });
});
