import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { RosterError } from '../core/errors.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { CANCEL_NOTICES_KEY } from './cancels.js';
import { Executor } from './executor.js';
import { create, firstCreateFailsWhenReleased, plan, TARGET, targetConfig } from './testing.js';

let store: Store;
let connector: Connector;

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 2 }, accountKey: 'username' },
    { targetId: TARGET, baseDir: '.', log: silentLogger });
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

const executor = () => new Executor({
  store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig({ concurrency: 1 })], workerId: 'w1', log: silentLogger, pollMs: 5,
});

describe('Executor.cancelQueued', () => {
  it('a change running at the cancel finishes its attempt, and its retry never starts', async () => {
    const { release, calls } = firstCreateFailsWhenReleased(connector, new RosterError('target.unavailable', 'connection reset', { retryable: true }));
    const ex = executor();
    await ex.enqueuePlan(plan('p1', [create('ann'), create('bob'), create('cid')]));
    const run = ex.runUntilIdle({ planId: 'p1' });
    while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    // ann is running; bob and cid are leased ahead or pending.
    const cancelled = await ex.cancelQueued({ planId: 'p1' }, { kind: 'queue.cancelled', actor: 'ops', data: { planId: 'p1', reason: 'wrong plan' } });
    expect(cancelled).toBe(2);
    release();
    expect(await run).toEqual({ applied: 0, failed: 0 });
    expect(calls).toEqual(['ann']);
    expect((await store.queue.listStatesByPlan('p1')).map((j) => [j.id, j.status])).toEqual([
      ['p1:app:ann:create', 'cancelled'], ['p1:app:bob:create', 'cancelled'], ['p1:app:cid:create', 'cancelled'],
    ]);
    const audit = await store.audit.list({ kind: 'queue.cancelled' });
    expect(audit.map((e) => e.data)).toEqual([
      { planId: 'p1', reason: 'wrong plan', cancelled: 2 },
      { planId: 'p1', reason: 'wrong plan', worker: 'w1', cancelled: 1 },
    ]);
    expect(await store.state.get(CANCEL_NOTICES_KEY)).toEqual([expect.objectContaining({ planId: 'p1', actor: 'ops', reason: 'wrong plan' })]);
  });

  it('a cancel of a target leaves the plans enqueued after it alone', async () => {
    const ex = executor();
    await ex.enqueuePlan(plan('old', [create('ann')]));
    await ex.cancelQueued({ target: TARGET }, { kind: 'queue.cancelled', actor: 'ops', data: { target: TARGET, reason: 'stop' } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await ex.enqueuePlan(plan('new', [create('bob')]));
    expect(await ex.runUntilIdle({ planId: 'new' })).toEqual({ applied: 1, failed: 0 });
    expect([...memoryTargets.get(TARGET)!.accounts.keys()]).toEqual(['bob']);
    expect(await store.queue.stats({ target: TARGET })).toMatchObject({ done: 1, cancelled: 1 });
  });
});
