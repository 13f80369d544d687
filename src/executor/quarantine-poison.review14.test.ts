import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutorConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Store } from '../store/types.js';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { Executor } from './executor.js';
import { failuresKey } from './quarantine.js';
import { create, plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 14 (adversarial): the failure count towards quarantine is kept in
 * the store, so it outlives a `roster sync` run. One person's change that
 * fails for good is planned again by every run; with nothing else to do, it
 * was counted once per run, and after `quarantineAfter` runs it held the
 * whole target. A change already counted under an earlier plan's job is not
 * counted again; its own retries, and other changes, still are. Also: the
 * count stays exact with two processes failing at once, and a healthy apply
 * of 10,000 changes writes no state at all.
 */

/** A process of its own on `store`: creates of usernames starting with `failing` fail (retryable or not). */
function processOn(store: Store, workerId: string, config: Partial<ExecutorConfig>, failing: string, retryable = false): Executor {
  const connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  const real = connector.create.bind(connector);
  connector.create = async (spec) => {
    if (String(spec.attributes.username).startsWith(failing)) throw new RosterError('target.rejected', 'create on app: the value is refused', { retryable });
    return real(spec);
  };
  return new Executor({
    store, connectors: new Map([[TARGET, connector]]), workerId, log: silentLogger, pollMs: 5,
    targets: [targetConfig({ concurrency: 4, maxAttempts: 1, backoffBaseMs: 1, backoffMaxMs: 2, quarantineAfter: 3, ...config }, { latencyMs: 0 })],
  });
}

describe.each(storeBackEnds('rq14p').filter((b) => b.name !== 'sqlite (memory)'))('quarantine count across runs ($name)', (backEnd) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    memoryTargets.clear();
  });

  it('one change failing for good in every cron run, with nothing else to do, never quarantines the target', async () => {
    opened = await backEnd.open();
    for (let run = 1; run <= 5; run += 1) {
      const ex = processOn(await opened.second(), `cron-${run}`, {}, 'bad');
      await ex.enqueuePlan(plan(`run${run}`, [create('bad')]));
      expect(await ex.runUntilIdle({ planId: `run${run}` })).toEqual({ applied: 0, failed: 1 });
    }
    expect(await opened.store.state.get(`quarantine:${TARGET}`)).toBeUndefined();
    expect(await opened.store.state.get(failuresKey(TARGET))).toMatchObject({ count: 1 });
    expect(await opened.store.audit.list({ kind: 'target.quarantined', limit: 10 })).toEqual([]);
  });

  it('different changes failing in successive runs still add up, and so do one job\'s retries', async () => {
    opened = await backEnd.open();
    for (const [run, who] of [[1, 'bad-a'], [2, 'bad-b'], [3, 'bad-c']] as const) {
      const ex = processOn(await opened.second(), `cron-${run}`, {}, 'bad');
      await ex.enqueuePlan(plan(`run${run}`, [create(who)]));
      await ex.runUntilIdle({ planId: `run${run}` });
    }
    expect(await opened.store.state.get(`quarantine:${TARGET}`)).toMatchObject({ reason: expect.stringMatching(/refused/) });

    const ex = processOn(opened.store, 'w', { maxAttempts: 3 }, 'flaky', true);
    expect(await ex.releaseQuarantine(TARGET, 'op')).toBe(true);
    await ex.enqueuePlan(plan('retries', [create('flaky')]));
    expect(await ex.runUntilIdle({ planId: 'retries' })).toEqual({ applied: 0, failed: 1 });
    expect(await ex.isQuarantined(TARGET)).toBe(true);
  });

  it('failures of two processes at once are each counted once', async () => {
    opened = await backEnd.open();
    const config = { quarantineAfter: 100_000, concurrency: 8 };
    const [a, b] = [processOn(opened.store, 'a', config, 'c'), processOn(await opened.second(), 'b', config, 'c')];
    await a.enqueuePlan(plan('both', Array.from({ length: 120 }, (_, i) => create(`c${i}`))));
    await Promise.all([a.runUntilIdle({ planId: 'both' }), b.runUntilIdle({ planId: 'both' })]);
    expect(await opened.store.state.get(failuresKey(TARGET))).toMatchObject({ count: 120 });
  });
});

describe('quarantine count (review 14): a healthy apply of 10,000 changes', () => {
  it('writes no state', async () => {
    const opened = await storeBackEnds('rq14p').find((b) => b.name === 'sqlite (file)')!.open();
    try {
      const { store } = opened;
      let writes = 0;
      const [update, set] = [store.state.update.bind(store.state), store.state.set.bind(store.state)];
      store.state.update = (key, change) => (writes += 1, update(key, change));
      store.state.set = (key, value) => (writes += 1, set(key, value));
      const ex = processOn(store, 'w', { concurrency: 16 }, 'never-');
      await ex.enqueuePlan(plan('big', Array.from({ length: 10_000 }, (_, i) => create(`u${i}`))));
      expect(await ex.runUntilIdle({ planId: 'big' })).toEqual({ applied: 10_000, failed: 0 });
      expect(writes).toBe(0);
    } finally {
      await opened.close();
      memoryTargets.clear();
    }
  }, 60_000);
});
