import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutorConfig } from '../config/types.js';
import { silentLogger } from '../core/log.js';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { Executor } from './executor.js';
import { failuresKey } from './quarantine.js';
import { create, plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 14: the consecutive failures towards quarantine are counted in the
 * store's state, not in each process's memory: `roster sync` from cron (a new
 * process each run) and several workers add to one count, and a success
 * anywhere resets it. Two stores opened on the same database stand for two
 * processes.
 */

const config: Partial<ExecutorConfig> = { concurrency: 1, quarantineAfter: 4, maxAttempts: 1 };
const memory = (): MemoryTarget => memoryTargets.get(TARGET) as MemoryTarget;

/** An executor of its own (a process of its own) on `store`; the memory target is shared by id. */
function processOn(store: Store, workerId: string): Executor {
  const connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  return new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig(config, { latencyMs: 0 })], workerId, log: silentLogger, pollMs: 5 });
}

const creates = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => create(`${prefix}${i}`));

describe.each(storeBackEnds('rq14').filter((b) => b.name !== 'sqlite (memory)'))('quarantine count shared by processes ($name)', (backEnd) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    memoryTargets.clear();
  });

  it('failures of runs in two processes add up to the threshold', async () => {
    opened = await backEnd.open();
    const first = processOn(opened.store, 'cron-1');
    memory().rejectNext(2, { operations: ['create'] });
    await first.enqueuePlan(plan('run1', creates('a', 2)));
    expect(await first.runUntilIdle({ planId: 'run1' })).toEqual({ applied: 0, failed: 2 });
    expect(await first.isQuarantined(TARGET)).toBe(false);
    expect(await opened.store.state.get(failuresKey(TARGET))).toMatchObject({ count: 2 });

    // The next cron run: a process of its own, starting from the stored count, not from 0.
    const store2 = await opened.second();
    const second = processOn(store2, 'cron-2');
    memory().rejectNext(2, { operations: ['create'] });
    await second.enqueuePlan(plan('run2', creates('b', 3)));
    expect(await second.runUntilIdle({ planId: 'run2' })).toEqual({ applied: 0, failed: 2 });
    expect(await second.isQuarantined(TARGET)).toBe(true);
    const quarantined = await store2.audit.list({ kind: 'target.quarantined', limit: 10 });
    expect(quarantined.map((e) => (e.data as { consecutiveFailures: number }).consecutiveFailures)).toEqual([4]);
    // Reaching the threshold starts the count again.
    expect(await store2.state.get(failuresKey(TARGET))).toBeUndefined();
  });

  it('a success in another process resets the count this process knew', async () => {
    opened = await backEnd.open();
    const store2 = await opened.second();
    const [a, b] = [processOn(opened.store, 'wa'), processOn(store2, 'wb')];
    memory().rejectNext(3, { operations: ['create'] });
    await a.enqueuePlan(plan('pa1', creates('a', 3)));
    expect(await a.runUntilIdle({ planId: 'pa1' })).toEqual({ applied: 0, failed: 3 });
    expect(await opened.store.state.get(failuresKey(TARGET))).toMatchObject({ count: 3 });

    await b.enqueuePlan(plan('pb', creates('b', 1)));
    expect(await b.runUntilIdle({ planId: 'pb' })).toEqual({ applied: 1, failed: 0 });
    expect(await opened.store.state.get(failuresKey(TARGET))).toBeUndefined();

    // a last wrote 3; it reads the reset at its next claim, so 3 more failures are 3, not 6.
    memory().rejectNext(3, { operations: ['create'] });
    await a.enqueuePlan(plan('pa2', creates('c', 3)));
    expect(await a.runUntilIdle({ planId: 'pa2' })).toEqual({ applied: 0, failed: 3 });
    expect(await a.isQuarantined(TARGET)).toBe(false);
    expect(await opened.store.state.get(failuresKey(TARGET))).toMatchObject({ count: 3 });
  });

  it('successes write no state while the count is 0, and one reset when it is not', async () => {
    opened = await backEnd.open();
    const { store } = opened;
    let updates = 0;
    const update = store.state.update.bind(store.state);
    store.state.update = (key, change) => {
      updates += 1;
      return update(key, change);
    };
    const ex = processOn(store, 'w1');
    await ex.enqueuePlan(plan('ok', creates('ok', 20)));
    expect(await ex.runUntilIdle({ planId: 'ok' })).toEqual({ applied: 20, failed: 0 });
    expect(updates).toBe(0);

    memory().rejectNext(1, { operations: ['create'] });
    await ex.enqueuePlan(plan('one', creates('one', 20)));
    expect(await ex.runUntilIdle({ planId: 'one' })).toEqual({ applied: 19, failed: 1 });
    // The failure's count, then the one reset of the success after it.
    expect(updates).toBe(2);
    expect(await store.state.get(failuresKey(TARGET))).toBeUndefined();
  });

  it('a release resets the stored count', async () => {
    opened = await backEnd.open();
    const ex = processOn(opened.store, 'w1');
    memory().rejectNext(2, { operations: ['create'] });
    await ex.enqueuePlan(plan('r', creates('r', 2)));
    await ex.runUntilIdle({ planId: 'r' });
    expect(await opened.store.state.get(failuresKey(TARGET))).toMatchObject({ count: 2 });
    await ex.holdQuarantine(TARGET, 'op', 'maintenance');
    await processOn(await opened.second(), 'operator').releaseQuarantine(TARGET, 'op');
    expect(await opened.store.state.get(failuresKey(TARGET))).toBeUndefined();
  });
});

describe('quarantine count (review 14): a state store that cannot count', () => {
  it('the failure is still recorded as it was, and said as a count lost, not as a failure not recorded', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const update = store.state.update.bind(store.state);
      store.state.update = (key, change) => (key === failuresKey(TARGET) ? Promise.reject(new Error('state down')) : update(key, change));
      const logged: string[] = [];
      const log = { debug() {}, info() {}, warn: (m: string) => void logged.push(`warn: ${m}`), error: (m: string) => void logged.push(`error: ${m}`) };
      const connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
      const ex = new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig(config, { latencyMs: 0 })], workerId: 'w1', log, pollMs: 5 });
      memory().rejectNext(1, { operations: ['create'] });
      await ex.enqueuePlan(plan('sd', creates('sd', 2)));
      expect(await ex.runUntilIdle({ planId: 'sd' })).toEqual({ applied: 1, failed: 1 });
      expect(logged).toContain('warn: could not count a failure towards the target\'s quarantine');
      expect(logged.filter((line) => line.startsWith('error:'))).toEqual([]);
    } finally {
      await store.close();
      memoryTargets.clear();
    }
  });
});
