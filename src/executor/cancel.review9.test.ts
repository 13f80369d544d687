import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import type { Store } from '../store/types.js';
import { Executor } from './executor.js';
import { create, firstCreateFailsWhenReleased, plan, TARGET, targetConfig } from './testing.js';

/**
 * Adversarial review of cancelling queued work (commit ac567a6): the notice
 * every worker reads must reach the jobs it is meant for whatever the clocks
 * of the processes say, however long a retry waits, and whenever the worker
 * holding a job comes back. Real stores (a SQLite file, PostgreSQL), two
 * connections to each as two processes would have.
 */
const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const audit = (planId: string, reason = 'wrong plan') => ({ kind: 'queue.cancelled', actor: 'ops', data: { planId, reason } });
const accounts = () => memoryTargets.get(TARGET)?.accounts.size ?? 0;

/** A clock that starts at the real time and can be moved. */
function movableClock(offsetMs = 0): { now: () => Date; move: (ms: number) => void } {
  let offset = offsetMs;
  return { now: () => new Date(Date.now() + offset), move: (ms) => (offset += ms) };
}

describe.each(storeBackEnds('cancel-r9').filter((b) => b.name !== 'sqlite (memory)'))('cancel notices, adversarially ($name)', (backEnd) => {
  let opened: OpenedStore;
  let store: Store;
  let other: Store;
  const executors: Executor[] = [];

  beforeEach(async () => {
    opened = await backEnd.open();
    store = opened.store;
    other = await opened.second();
  });
  afterEach(async () => {
    for (const ex of executors.splice(0)) await ex.stop();
    await opened.close();
    memoryTargets.clear();
  });

  const connectorOf = (latencyMs: number): Connector => createConnector({ id: TARGET, type: 'memory', connection: { latencyMs }, accountKey: 'username' },
    { targetId: TARGET, baseDir: '.', log: silentLogger });
  const executor = (on: Store, workerId: string, options: { now?: () => Date; latencyMs?: number; connector?: Connector; concurrency?: number } = {}) => {
    const ex = new Executor({
      store: on, connectors: new Map([[TARGET, options.connector ?? connectorOf(options.latencyMs ?? 0)]]),
      targets: [targetConfig({ concurrency: options.concurrency ?? 1 })], workerId, log: silentLogger, pollMs: 20,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    executors.push(ex);
    return ex;
  };

  it('a plan cancelled while it is still being enqueued (batches of 5,000) runs none of the batches enqueued after the cancel', async () => {
    const big = plan('big', Array.from({ length: 5_001 }, (_, i) => create(`u${i}`)));
    const applying = executor(store, 'serve');
    const cli = executor(other, 'cli');
    const enqueue = store.queue.enqueue.bind(store.queue);
    let batches = 0;
    store.queue.enqueue = async (jobs, options) => {
      const enqueued = await enqueue(jobs, options);
      batches += 1;
      if (batches !== 1) return enqueued;
      expect(await cli.cancelQueued({ planId: 'big' }, audit('big'))).toBe(5_000);
      await sleep(5);
      return enqueued;
    };
    await applying.enqueuePlan(big);
    expect(batches).toBe(2);
    await applying.runUntilIdle({ planId: 'big' });
    expect(accounts()).toBe(0);
    expect(await store.queue.stats({ planId: 'big' })).toMatchObject({ pending: 0, running: 0, done: 0, cancelled: 5_001 });
  });

  it('a worker whose clock is 11 minutes ahead of the canceller\'s still cancels the jobs it leased ahead', async () => {
    const people = Array.from({ length: 40 }, (_, i) => create(`p${i}`));
    const serving = executor(store, 'serve', { now: movableClock(11 * MINUTE).now, latencyMs: 10 });
    const cli = executor(other, 'cli');
    await serving.enqueuePlan(plan('p1', people));
    serving.start();
    while (accounts() < 3) await sleep(2);
    const result = await cli.cancelQueued({ planId: 'p1' }, audit('p1'));
    const atCancel = accounts();
    expect(result).toBeLessThan(people.length);
    // The serving worker reads the notice within its poll (20 ms): a few more at 10 ms each, not the whole plan.
    await sleep(800);
    expect(accounts()).toBeLessThan(atCancel + 10);
    expect(await store.queue.stats({ planId: 'p1' })).toMatchObject({ pending: 0, running: 0, done: accounts(), cancelled: people.length - accounts() });
  });

  it('a cancel of a target reaches the jobs leased by a worker whose clock is a minute ahead, and not a later plan\'s', async () => {
    const people = Array.from({ length: 40 }, (_, i) => create(`p${i}`));
    const serving = executor(store, 'serve', { now: movableClock(MINUTE).now, latencyMs: 10 });
    const cli = executor(other, 'cli');
    await serving.enqueuePlan(plan('p1', people));
    serving.start();
    while (accounts() < 3) await sleep(2);
    await cli.cancelQueued({ target: TARGET }, { kind: 'queue.cancelled', actor: 'ops', target: TARGET, data: { target: TARGET, reason: 'stop' } });
    const atCancel = accounts();
    await sleep(800);
    expect(accounts()).toBeLessThan(atCancel + 10);
    expect(await store.queue.stats({ planId: 'p1' })).toMatchObject({ pending: 0, running: 0, cancelled: people.length - accounts() });
    // A plan enqueued after the cancel, by a process whose clock is behind the canceller's: not the cancel's.
    await serving.stop();
    const late = executor(other, 'late', { now: movableClock(-MINUTE).now });
    await late.enqueuePlan(plan('p2', [create('zed')]));
    expect(await late.runUntilIdle({ planId: 'p2' })).toEqual({ applied: 1, failed: 0 });
  });

  it('a worker whose clock steps back a minute keeps reading the notices', async () => {
    const people = Array.from({ length: 40 }, (_, i) => create(`p${i}`));
    const clock = movableClock();
    const serving = executor(store, 'serve', { now: clock.now, latencyMs: 10 });
    const cli = executor(other, 'cli');
    await serving.enqueuePlan(plan('p1', people));
    serving.start();
    while (accounts() < 3) await sleep(2);
    clock.move(-MINUTE);
    await cli.cancelQueued({ planId: 'p1' }, audit('p1'));
    const atCancel = accounts();
    await sleep(800);
    expect(accounts()).toBeLessThan(atCancel + 10);
    expect(await store.queue.stats({ planId: 'p1' })).toMatchObject({ pending: 0, running: 0, cancelled: people.length - accounts() });
  });

  it('a change running at the cancel whose target asks for 20 minutes (Retry-After) is not run when it comes back', async () => {
    const clock = movableClock();
    const connector = connectorOf(0);
    const { release, calls } = firstCreateFailsWhenReleased(connector, new RosterError('target.rate_limited', 'slow down', { retryable: true, retryAfterMs: 20 * MINUTE }));
    const serving = executor(store, 'serve', { now: clock.now, connector });
    const cli = executor(other, 'cli', { now: clock.now });
    await serving.enqueuePlan(plan('p1', [create('ann')]));
    const run = serving.runUntilIdle({ planId: 'p1' });
    while (calls.length === 0) await sleep(1);
    // ann is running: nothing pending to cancel here; the serving worker must not run it again.
    expect(await cli.cancelQueued({ planId: 'p1' }, audit('p1'))).toBe(0);
    await sleep(50);
    release();
    await run;
    // Put back for its retry, it is cancelled at once, not left pending until a worker claims it.
    expect(await store.queue.stats({ planId: 'p1' })).toMatchObject({ pending: 0, running: 0, cancelled: 1 });
    clock.move(21 * MINUTE);
    await executor(store, 'later', { now: clock.now }).runUntilIdle({ planId: 'p1' });
    expect(calls).toEqual(['ann']);
    expect(accounts()).toBe(0);
    expect(await store.queue.stats({ planId: 'p1' })).toMatchObject({ pending: 0, running: 0, done: 0, cancelled: 1 });
  });

  it('jobs a worker leased before it died are not run by a worker that starts after later cancels pruned the notices', async () => {
    const clock = movableClock();
    const cli = executor(other, 'cli', { now: clock.now });
    await cli.enqueuePlan(plan('p1', [create('ann'), create('bob')]));
    // A `roster serve` leases both ahead, then is killed (kill -9): they stay 'running' under it until the lease runs out.
    const leased = await store.queue.claim({ workerId: 'dead', limit: 10, leaseMs: MINUTE, now: clock.now() });
    expect(leased).toHaveLength(2);
    expect(await cli.cancelQueued({ planId: 'p1' }, audit('p1'))).toBe(0);
    // Another operator cancels something else a while later, and the process comes back later still.
    clock.move(11 * MINUTE);
    await cli.enqueuePlan(plan('p2', [create('cid')]));
    expect(await cli.cancelQueued({ planId: 'p2' }, audit('p2', 'not this either'))).toBe(1);
    clock.move(MINUTE);
    await executor(store, 'restarted', { now: clock.now }).runUntilIdle({ planId: 'p1' });
    expect(accounts()).toBe(0);
    expect(await store.queue.stats({ planId: 'p1' })).toMatchObject({ pending: 0, running: 0, done: 0, cancelled: 2 });
  });
});
