import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutorConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Executor, type ExecutorOptions } from './executor.js';
import { create, grant, plan, TARGET, targetConfig } from './testing.js';
import { idleWait } from './idle.js';
import { QuarantineKeeper } from './quarantine.js';

/** The executor under the failures a review found (review 6). */


/** A connector whose create (or grant) runs `around` the real one. */
function wrapped(inner: Connector, around: { create?: (run: () => Promise<void>) => Promise<void> }): Connector {
  return {
    ...inner, kind: inner.kind, capabilities: inner.capabilities, list: () => inner.list(), get: (id) => inner.get(id), close: () => inner.close(),
    check: () => inner.check(),
    create: async (spec) => {
      let made: Awaited<ReturnType<Connector['create']>> | undefined;
      const run = async () => { made = await inner.create(spec); };
      await (around.create === undefined ? run() : around.create(run));
      return made as Awaited<ReturnType<Connector['create']>>;
    },
    update: (id, attrs) => inner.update(id, attrs),
    setEnabled: (id, on) => inner.setEnabled(id, on),
    delete: (id) => inner.delete(id),
    grant: (id, e) => inner.grant(id, e),
    revoke: (id, e) => inner.revoke(id, e),
  };
}

let store: Store;
let connector: Connector;
let memory: MemoryTarget;

function executor(config: Partial<ExecutorConfig> = {}, options: Partial<ExecutorOptions> = {}): Executor {
  return new Executor({
    store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig(config, { latencyMs: 0 })], workerId: 'w1', log: silentLogger,
    pollMs: 5, ...options,
  });
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' },
    { targetId: TARGET, baseDir: '.', log: silentLogger });
  memory = memoryTargets.get(TARGET) as MemoryTarget;
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

describe('Executor (review 6)', () => {
  it('a worker whose lease ran out cannot fail the change another worker took over: that run completes, with its link, in order', async () => {
    const takenOver = deferred();
    const oldFailed = deferred();
    const queue = store.queue;
    const fail = queue.fail.bind(queue);
    queue.fail = async (...args) => {
      try {
        return await fail(...args);
      } finally {
        oldFailed.resolve();
      }
    };
    // The old worker's create hangs past its lease (its renewals do not reach the database), then the target refuses it.
    const old = executor({ concurrency: 1 }, {
      workerId: 'old', leaseMs: 300, store: { ...store, queue: { ...queue, renew: async () => 0 } },
      connectors: new Map([[TARGET, wrapped(connector, { create: async () => {
        await takenOver.promise;
        throw new RosterError('target.rejected', 'refused late');
      } })]]),
    });
    // The new worker takes the job over once the lease is out; its create succeeds after the old worker's failure.
    const next = executor({ concurrency: 1 }, {
      workerId: 'new', leaseMs: 60_000,
      connectors: new Map([[TARGET, wrapped(connector, { create: async (run) => {
        takenOver.resolve();
        await oldFailed.promise;
        await run();
      } })]]),
    });
    await old.enqueuePlan(plan('p1', [create('ada'), grant('ada', 'staff')]));
    const oldRun = old.runUntilIdle({ planId: 'p1' });
    for (let i = 0; i < 200 && (await store.queue.get('p1:app:ada:create'))?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 5));
    const [oldResult, newResult] = await Promise.all([oldRun, next.runUntilIdle({ planId: 'p1' })]);

    expect(newResult.applied).toBe(2);
    expect(oldResult.failed).toBe(0);
    expect((await store.queue.listByPlan('p1')).map((j) => j.status)).toEqual(['done', 'done']);
    expect(await store.accounts.get(TARGET, 'ada')).toMatchObject({ accountId: 'ada', entitlements: ['staff'] });
    expect(memory.snapshot('ada')).toMatchObject({ entitlements: ['staff'] });
    expect(await store.audit.list({ kind: 'change.failed' })).toEqual([]);
    expect((await store.audit.list({ kind: 'change.applied' })).map((e) => (e.data as { action?: string } | undefined)?.action)).toEqual(['create', 'grant']);
  });
});

describe('Executor (review 6): Retry-After', () => {
  it.each([
    ['past the range of a date', 1e20],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('a Retry-After %s still records the retry, a day away at most', async (_name, retryAfterMs) => {
    memory.failNext(1, { retryAfterMs, operations: ['create'] });
    const now = new Date('2030-01-01T00:00:00.000Z');
    const ex = executor({ backoffBaseMs: 10, backoffMaxMs: 20 }, { now: () => now, leaseMs: 600_000 });
    await ex.enqueuePlan(plan('p-ra', [create('rae')]));
    expect(await ex.runUntilIdle({ planId: 'p-ra' })).toEqual({ applied: 0, failed: 0 });
    const job = await store.queue.get('p-ra:app:rae:create');
    expect(job).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/^target\.rate_limited/) });
    expect(Date.parse(job!.nextRunAt) - now.getTime()).toBe(24 * 60 * 60 * 1000);
  });
});

describe('Executor (review 6): quarantine', () => {
  const quarantines = async () => (await store.audit.list({ kind: 'target.quarantined', limit: 100 })).length;

  it('a target asking to slow down (429, Retry-After) is rate limited, not failing: it is not quarantined', async () => {
    memory.failNext(10, { retryAfterMs: 20, operations: ['create'] });
    const ex = executor({ quarantineAfter: 3, concurrency: 4, maxAttempts: 8 });
    await ex.enqueuePlan(plan('p-429', Array.from({ length: 8 }, (_, i) => create(`r${i}`))));
    expect(await ex.runUntilIdle({ planId: 'p-429' })).toEqual({ applied: 8, failed: 0 });
    expect(await ex.isQuarantined(TARGET)).toBe(false);
    expect(await quarantines()).toBe(0);
    expect(memory.accounts.size).toBe(8);
  });

  it('released by another process (the operator), a target needs quarantineAfter new failures to go back', async () => {
    memory.rejectNext(3, { operations: ['create'] });
    const ex = executor({ quarantineAfter: 3, concurrency: 1 });
    await ex.enqueuePlan(plan('p-q', Array.from({ length: 6 }, (_, i) => create(`q${i}`))));
    expect(await ex.runUntilIdle({ planId: 'p-q' })).toEqual({ applied: 0, failed: 3 });
    expect(await ex.isQuarantined(TARGET)).toBe(true);

    await executor({}, { workerId: 'operator' }).releaseQuarantine(TARGET);
    memory.rejectNext(1, { operations: ['create'] });
    expect(await ex.runUntilIdle({ planId: 'p-q' })).toEqual({ applied: 2, failed: 1 });
    expect(await ex.isQuarantined(TARGET)).toBe(false);
    expect(await quarantines()).toBe(1);
  });

  it('failures ending together put the target in quarantine once: one flag, one audit entry', async () => {
    const keepers = [new QuarantineKeeper(store, silentLogger, 'executor:w1'), new QuarantineKeeper(store, silentLogger, 'executor:w2')];
    const now = new Date();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => keepers[i % 2]!.failed(TARGET, 1, `boom ${i}`, now)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await keepers[0]!.isQuarantined(TARGET)).toBe(true);
    expect(await quarantines()).toBe(1);
  });
});

describe('Executor (review 6): a target\'s Retry-After', () => {
  it('holds every job of the target until the Retry-After the target gave, not only the job that got the 429', async () => {
    let limitedUntil = 0;
    const calls: Array<{ at: number; limited: boolean }> = [];
    connector = wrapped(connector, { create: async (run) => {
      const at = Date.now();
      const limited = calls.length === 0 || at < limitedUntil;
      calls.push({ at, limited });
      if (calls.length === 1) limitedUntil = at + 300;
      if (limited) throw new RosterError('target.rate_limited', 'slow down', { retryable: true, retryAfterMs: Math.max(1, limitedUntil - at) });
      await run();
    } });
    const ex = executor({ concurrency: 2, maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 2 });
    await ex.enqueuePlan(plan('p-pause', Array.from({ length: 8 }, (_, i) => create(`p${i}`))));
    expect(await ex.runUntilIdle({ planId: 'p-pause' })).toEqual({ applied: 8, failed: 0 });
    // The one other call in flight with the first may meet the limit too; none starts after it until it ends.
    expect(calls.filter((c) => c.limited).length).toBeLessThanOrEqual(2);
    expect(memory.accounts.size).toBe(8);
    // Jobs given back unstarted spent no attempt.
    expect(Math.max(...(await store.queue.listByPlan('p-pause')).map((j) => j.attempts))).toBeLessThanOrEqual(2);
  });

  it('an idle run waits for the pause to end instead of polling a target it may not claim', () => {
    const now = new Date('2030-01-01T00:00:00.000Z');
    const state = { id: 'j', planId: 'p', target: TARGET, orderingKey: 'k', seq: 0, status: 'pending' as const, attempts: 0, nextRunAt: now.toISOString(), createdAt: now.toISOString(), updatedAt: now.toISOString() };
    expect(idleWait([state], new Set([TARGET]), now, 5)).toBe(5);
    expect(idleWait([state], new Set([TARGET]), now, 5, () => now.getTime() + 700)).toBe(700);
    expect(idleWait([state], new Set([TARGET]), now, 5, () => now.getTime() - 700)).toBe(5);
  });
});

describe('Executor (review 6): leases', () => {
  it('a change that takes longer than the lease keeps it while it runs: no other worker runs it a second time', async () => {
    let creates = 0;
    connector = wrapped(connector, { create: async (run) => {
      creates += 1;
      await new Promise((r) => setTimeout(r, 900));
      await run();
    } });
    const first = executor({ concurrency: 1 }, { workerId: 'first', leaseMs: 400 });
    const second = executor({ concurrency: 1 }, { workerId: 'second', leaseMs: 400 });
    await first.enqueuePlan(plan('p-lease', [create('slow')]));
    // Without the lease kept, the two workers take the change from each other for ever: give them 5 s.
    const signal = AbortSignal.timeout(5_000);
    const running = first.runUntilIdle({ planId: 'p-lease', signal });
    for (let i = 0; i < 200 && creates === 0; i++) await new Promise((r) => setTimeout(r, 5));
    // (Each run counts what the plan reached meanwhile, whoever did it.)
    const [a, b] = await Promise.all([running, second.runUntilIdle({ planId: 'p-lease', signal })]);
    expect(creates).toBe(1);
    expect([a.applied, b.applied]).toEqual([1, 1]);
    expect(await store.queue.get('p-lease:app:slow:create')).toMatchObject({ status: 'done', attempts: 1 });
    expect(await store.audit.list({ kind: 'change.applied' })).toHaveLength(1);
  });
});

describe('Executor (review 6): a target removed from the configuration', () => {
  it('leaves its jobs pending, untouched, and runs the rest of the plan to the end without waiting for them', async () => {
    const gone = { ...targetConfig({}, { latencyMs: 0 }), id: 'gone' };
    const before = new Executor({
      store, connectors: new Map([[TARGET, connector], ['gone', connector]]), targets: [targetConfig({}, { latencyMs: 0 }), gone], workerId: 'w0', log: silentLogger, pollMs: 5,
    });
    const goneCreate = { ...create('ada'), id: 'gone:ada:create', target: 'gone' };
    await before.enqueuePlan(plan('p-gone', [goneCreate, create('ada'), grant('ada', 'staff')]));
    const started = Date.now();
    expect(await executor().runUntilIdle({ planId: 'p-gone' })).toEqual({ applied: 2, failed: 0 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await store.queue.listByPlan('p-gone')).map((j) => [j.target, j.status, j.attempts])).toEqual([['gone', 'pending', 0], [TARGET, 'done', 1], [TARGET, 'done', 1]]);
  });
});

describe('Executor (review 6): progress', () => {
  it('reports a plan\'s progress with its own changes only, not with other plans\' changes run alongside', async () => {
    const finished = new Map<string, number>();
    const ex = executor({ concurrency: 2 }, { onResult: (job, outcome) => {
      if (outcome === 'applied') finished.set(job.planId, (finished.get(job.planId) ?? 0) + 1);
    } });
    await ex.enqueuePlan(plan('p-other', Array.from({ length: 8 }, (_, i) => create(`o${i}`))));
    await ex.enqueuePlan(plan('p-mine', Array.from({ length: 8 }, (_, i) => create(`m${i}`))));
    const reported: Array<[number, number]> = [];
    const result = await ex.runUntilIdle({ planId: 'p-mine', onProgress: (done) => reported.push([done, finished.get('p-mine') ?? 0]) });
    expect(result).toEqual({ applied: 8, failed: 0 });
    expect(reported.at(-1)).toEqual([8, 8]);
    for (const [done, mine] of reported) expect(done).toBeLessThanOrEqual(mine);
  });
});
