import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutorConfig } from '../config/types.js';
import type { Change } from '../core/types.js';
import { silentLogger } from '../core/log.js';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Executor, type ExecutorOptions } from './executor.js';
import { create, grant, plan, TARGET, targetConfig } from './testing.js';

const change = (identity: string, action: Change['action'], after: Change['after']): Change => ({
  id: `${TARGET}:${identity}:${action}`, identity, target: TARGET, action, before: null, after, reasons: ['test'],
});

let store: Store;
let connector: Connector;
let memory: MemoryTarget;

function executor(config: Partial<ExecutorConfig> = {}, options: Partial<ExecutorOptions> = {}): Executor {
  return new Executor({
    store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig(config)], workerId: 'w1', log: silentLogger,
    pollMs: 5, ...options,
  });
}

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 2 }, accountKey: 'username' },
    { targetId: TARGET, baseDir: '.', log: silentLogger });
  memory = memoryTargets.get(TARGET) as MemoryTarget;
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

const auditKinds = async (kind: string) => (await store.audit.list({ kind, limit: 10_000 })).length;

describe('Executor', () => {
  it('applies creates, grants, updates and disables, and writes links and audit with each change', async () => {
    const p = plan('p1', [
      create('alice'), grant('alice', 'staff'), grant('alice', 'eng'),
      change('alice', 'update', { attributes: { email: null, displayName: 'Alice' } }),
      change('alice', 'disable', { enabled: false }),
      create('bob'), change('bob', 'delete', null),
    ]);
    const ex = executor();
    expect(await ex.enqueuePlan(p)).toBe(7);
    const progress: number[] = [];
    const result = await ex.runUntilIdle({ planId: 'p1', onProgress: (done) => progress.push(done) });
    expect(result).toEqual({ applied: 7, failed: 0 });
    expect(progress.at(-1)).toBe(7);
    expect(memory.snapshot('alice')).toEqual({
      accountId: 'alice', attributes: { username: 'alice', displayName: 'Alice' }, entitlements: ['eng', 'staff'], enabled: false,
    });
    expect(memory.snapshot('bob')).toBeUndefined();
    const link = await store.accounts.get(TARGET, 'alice');
    expect(link).toMatchObject({ accountId: 'alice', enabled: false, attributes: { username: 'alice', displayName: 'Alice' } });
    expect([...(link?.entitlements ?? [])].sort()).toEqual(['eng', 'staff']);
    expect(link?.disabledAt).toBeDefined();
    expect(await store.accounts.get(TARGET, 'bob')).toBeUndefined();
    const applied = await store.audit.list({ kind: 'change.applied', limit: 100 });
    expect(applied).toHaveLength(7);
    expect(applied[0]).toMatchObject({ actor: 'executor:w1', identity: 'alice', target: TARGET, reasons: ['joiner'], data: { planId: 'p1', action: 'create' } });
  });

  it('claims the changes of a plan it enqueued from memory; another executor reads them from the queue', async () => {
    const p = plan('p1', [create('alice'), create('bob'), change('carol', 'create', { enabled: true, attributes: { username: 'carol', when: new Date('2026-11-27T00:00:00Z') } })]);
    const given: Change[] = [];
    const wrap = (inner: Store): Store => ({
      ...inner,
      queue: { ...inner.queue, claim: async (options) => {
        const jobs = await inner.queue.claim(options);
        given.push(...jobs.map((job) => job.change));
        return jobs;
      } },
    });
    const own = executor({}, { store: wrap(store) });
    await own.enqueuePlan(p);
    expect(await own.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 3, failed: 0 });
    // Plain data is the plan's own object; a change with a Date is the copy the queue stores (the date as text).
    expect(given[0]).toBe(p.changes[0]);
    expect(given[1]).toBe(p.changes[1]);
    expect(given[2]).not.toBe(p.changes[2]);
    expect(given[2]?.after?.attributes?.when).toBe('2026-11-27T00:00:00.000Z');
    expect(memory.snapshot('carol')?.attributes.when).toBe('2026-11-27T00:00:00.000Z');

    given.length = 0;
    await executor().enqueuePlan(plan('p2', [create('dave')]));
    expect(await executor({}, { store: wrap(store), workerId: 'w2' }).runUntilIdle({ planId: 'p2' })).toEqual({ applied: 1, failed: 0 });
    expect(given).toStrictEqual([create('dave')]);
  });

  it('reads the links of a claimed batch in one query, not one per change, and starts each change from its link', async () => {
    // bob's link exists before the plan: his create must keep its createdAt (the link read at claim time).
    const createdAt = '2020-01-01T00:00:00.000Z';
    await store.accounts.upsert({ target: TARGET, identityId: 'bob', accountId: 'bob', attributes: {}, entitlements: [], enabled: true, createdAt, updatedAt: createdAt });
    const reads = { get: 0, getMany: 0 };
    const accounts = store.accounts;
    const counted: Store = {
      ...store,
      accounts: {
        ...accounts,
        get: (target, identityId) => { reads.get += 1; return accounts.get(target, identityId); },
        getMany: (refs) => { reads.getMany += 1; return accounts.getMany(refs); },
      },
    };
    const ex = executor({}, { store: counted });
    await ex.enqueuePlan(plan('p-links', ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map(create)));
    expect(await ex.runUntilIdle({ planId: 'p-links' })).toEqual({ applied: 6, failed: 0 });
    expect(reads.get).toBe(0);
    expect(reads.getMany).toBeGreaterThan(0);
    expect(reads.getMany).toBeLessThan(6);
    expect(await store.accounts.get(TARGET, 'bob')).toMatchObject({ createdAt, attributes: { username: 'bob' } });
    expect((await store.accounts.listAll()).map((l) => l.identityId)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  });

  it('keeps each account\'s changes in plan order while running accounts concurrently', async () => {
    const order = new Map<string, string[]>();
    const record = (id: string, op: string) => order.set(id, [...(order.get(id) ?? []), op]);
    const inner = connector;
    connector = {
      ...inner, kind: inner.kind, capabilities: inner.capabilities, list: () => inner.list(), get: (id) => inner.get(id), close: () => inner.close(),
      check: () => inner.check(),
      create: async (spec) => { const a = await inner.create(spec); record(a.accountId, 'create'); return a; },
      update: async (id, attrs) => { await inner.update(id, attrs); record(id, 'update'); },
      setEnabled: async (id, on) => { await inner.setEnabled(id, on); record(id, on ? 'enable' : 'disable'); },
      delete: async (id) => { await inner.delete(id); record(id, 'delete'); },
      grant: async (id, e) => { await inner.grant(id, e); record(id, `grant:${e}`); },
      revoke: async (id, e) => { await inner.revoke(id, e); record(id, `revoke:${e}`); },
    };
    memory.latencyMs = 20;
    const people = Array.from({ length: 12 }, (_, i) => `u${i}`);
    const changes = people.flatMap((u) => [create(u), grant(u, 'a'), change(u, 'disable', { enabled: false }), grant(u, 'b'), change(u, 'enable', { enabled: true })]);
    await executor({ concurrency: 4 }).enqueuePlan(plan('p2', changes));
    await executor({ concurrency: 4 }).runUntilIdle({ planId: 'p2' });
    for (const u of people) expect(order.get(u)).toEqual(['create', 'grant:a', 'disable', 'grant:b', 'enable']);
    expect(memory.maxInFlight).toBeGreaterThan(1);
  });

  it('never runs more changes of a target at once than its concurrency', async () => {
    memory.latencyMs = 50;
    const ex = executor({ concurrency: 3 });
    await ex.enqueuePlan(plan('p3', Array.from({ length: 20 }, (_, i) => create(`c${i}`))));
    const result = await ex.runUntilIdle({ planId: 'p3' });
    expect(result.applied).toBe(20);
    expect(memory.maxInFlight).toBe(3);
  });

  it('retries with backoff and never sooner than the target\'s Retry-After', async () => {
    memory.failNext(2, { retryAfterMs: 40, operations: ['create'] });
    let lastNow = new Date();
    const retries: number[] = [];
    const queue = store.queue;
    const fail = queue.fail.bind(queue);
    queue.fail = async (id, error, retryAt, audit) => {
      if (retryAt !== null) retries.push(retryAt.getTime() - lastNow.getTime());
      return fail(id, error, retryAt, audit);
    };
    const ex = executor({ backoffBaseMs: 10_000, backoffMaxMs: 20_000 }, { now: () => (lastNow = new Date()), random: () => 0 });
    await ex.enqueuePlan(plan('p4', [create('r1')]));
    expect(await ex.runUntilIdle({ planId: 'p4' })).toEqual({ applied: 1, failed: 0 });
    expect(retries).toEqual([40, 40]);
    expect(memory.calls('create')).toBe(3);
    expect((await store.queue.get('p4:app:r1:create'))?.attempts).toBe(3);

    memory.failNext(1, { operations: ['grant'] });
    const backoff = executor({ backoffBaseMs: 8, backoffMaxMs: 100 }, { now: () => (lastNow = new Date()), random: () => 0.5 });
    await backoff.enqueuePlan(plan('p5', [grant('r1', 'x')]));
    expect(await backoff.runUntilIdle({ planId: 'p5' })).toEqual({ applied: 1, failed: 0 });
    expect(retries).toEqual([40, 40, 4]);
  });

  it('fails a change for good after maxAttempts, or at once when the target rejects it', async () => {
    memory.failNext(100, { operations: ['create'] });
    const outcomes: string[] = [];
    const ex = executor({ maxAttempts: 3 }, { onResult: (_job, outcome) => outcomes.push(outcome) });
    await ex.enqueuePlan(plan('p6', [create('f1')]));
    expect(await ex.runUntilIdle({ planId: 'p6' })).toEqual({ applied: 0, failed: 1 });
    const job = await store.queue.get('p6:app:f1:create');
    expect(job).toMatchObject({ status: 'failed', attempts: 3 });
    expect(job?.lastError).toMatch(/^target\.unavailable: /);
    expect(outcomes).toEqual(['retry', 'retry', 'failed']);
    expect(await auditKinds('change.failed')).toBe(1);

    memory.resetCounters();
    memory.rejectNext(1, { operations: ['create'], message: 'email already taken' });
    await ex.enqueuePlan(plan('p7', [create('f2')]));
    expect(await ex.runUntilIdle({ planId: 'p7' })).toEqual({ applied: 0, failed: 1 });
    expect(await store.queue.get('p7:app:f2:create')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'target.rejected: email already taken' });
    expect(await auditKinds('change.failed')).toBe(2);
  });

  it('quarantines a target after consecutive failures and resumes after release', async () => {
    memory.rejectNext(3, { operations: ['create'] });
    const ex = executor({ quarantineAfter: 3, concurrency: 1 });
    await ex.enqueuePlan(plan('p8', Array.from({ length: 6 }, (_, i) => create(`q${i}`))));
    expect(await ex.runUntilIdle({ planId: 'p8' })).toEqual({ applied: 0, failed: 3 });
    expect(await ex.isQuarantined(TARGET)).toBe(true);
    expect(await store.state.get('quarantine:app')).toMatchObject({ reason: expect.stringMatching(/target\.rejected/) });
    expect(await auditKinds('target.quarantined')).toBe(1);
    expect(memory.calls('create')).toBe(3);
    expect((await store.queue.stats({ target: TARGET })).pending).toBe(3);
    // Jobs leased ahead but never started went back untouched: no attempt spent.
    expect((await store.queue.listByPlan('p8')).filter((j) => j.status === 'pending').map((j) => j.attempts)).toEqual([0, 0, 0]);

    await ex.releaseQuarantine(TARGET);
    expect(await ex.isQuarantined(TARGET)).toBe(false);
    expect(await ex.runUntilIdle({ planId: 'p8' })).toEqual({ applied: 3, failed: 0 });
    expect(memory.accounts.size).toBe(3);
  });

  it('re-running a completed plan changes nothing', async () => {
    const p = plan('p9', [create('i1'), grant('i1', 'g'), create('i2')]);
    const ex = executor();
    await ex.enqueuePlan(p);
    expect(await ex.runUntilIdle({ planId: 'p9' })).toEqual({ applied: 3, failed: 0 });
    const calls = memory.calls();
    expect(await ex.enqueuePlan(p)).toBe(3);
    expect(await ex.runUntilIdle({ planId: 'p9' })).toEqual({ applied: 0, failed: 0 });
    expect(await ex.runUntilIdle()).toEqual({ applied: 0, failed: 0 });
    expect(memory.calls()).toBe(calls);
    expect(await auditKinds('change.applied')).toBe(3);
    expect((await store.queue.listByPlan('p9')).map((j) => j.status)).toEqual(['done', 'done', 'done']);
  });

  it('creating an account that already exists adopts it instead of duplicating it', async () => {
    await connector.create({ attributes: { username: 'dup', email: 'old@example.com' }, enabled: false });
    const ex = executor();
    await ex.enqueuePlan(plan('p10', [create('dup')]));
    await ex.runUntilIdle({ planId: 'p10' });
    expect(memory.accounts.size).toBe(1);
    expect(memory.snapshot('dup')).toMatchObject({ enabled: true, attributes: { email: 'dup@example.com' } });
  });

  it('refuses a plan with a change for an unknown target', async () => {
    await expect(executor().enqueuePlan(plan('p11', [{ ...create('x'), target: 'nowhere' }]))).rejects.toThrow(/unknown target/);
  });

  it('works in the background after start() and stops cleanly', async () => {
    const ex = executor();
    ex.start();
    await ex.enqueuePlan(plan('p12', [create('b1'), grant('b1', 'g')]));
    ex.wakeUp();
    for (let i = 0; i < 500 && (await store.queue.stats()).done < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await ex.stop();
    expect((await store.queue.stats()).done).toBe(2);
    expect(memory.snapshot('b1')?.entitlements).toEqual(['g']);
  });

  it('commits finished changes in batches, each with its link and audit entry', async () => {
    memory.latencyMs = 0;
    const queue = store.queue;
    const batches: number[] = [];
    const completeMany = queue.completeMany.bind(queue);
    queue.completeMany = async (workerId, jobs) => {
      batches.push(jobs.length);
      return completeMany(workerId, jobs);
    };
    const people = Array.from({ length: 60 }, (_, i) => `m${i}`);
    const ex = executor({ concurrency: 8 });
    await ex.enqueuePlan(plan('p13', people.flatMap((u) => [create(u), grant(u, 'staff')])));
    expect(await ex.runUntilIdle({ planId: 'p13' })).toEqual({ applied: 120, failed: 0 });
    expect(batches.reduce((a, b) => a + b, 0)).toBe(120);
    expect(batches.length).toBeLessThan(120 / 4);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(await auditKinds('change.applied')).toBe(120);
    expect((await store.accounts.listByTarget(TARGET)).map((l) => l.entitlements)).toEqual(people.map(() => ['staff']));
  });

  it('completes one by one when a batch cannot be written, so nothing is lost', async () => {
    const queue = store.queue;
    queue.completeMany = async (_workerId, jobs) => {
      if (jobs.length > 1) throw new Error('batch refused');
      return [await queue.complete(jobs[0]!.jobId, 'w1', jobs[0]!.effects)];
    };
    memory.latencyMs = 5;
    const ex = executor({ concurrency: 4 });
    await ex.enqueuePlan(plan('p14', Array.from({ length: 12 }, (_, i) => create(`o${i}`))));
    expect(await ex.runUntilIdle({ planId: 'p14' })).toEqual({ applied: 12, failed: 0 });
    expect(await auditKinds('change.applied')).toBe(12);
    expect((await store.queue.listByPlan('p14')).every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);
  });

  it('gives back the jobs it leased ahead but did not start when stopped', async () => {
    memory.latencyMs = 30;
    const ex = executor({ concurrency: 1 });
    await ex.enqueuePlan(plan('p15', Array.from({ length: 10 }, (_, i) => create(`s${i}`))));
    ex.start();
    for (let i = 0; i < 500 && memory.calls('create') === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await ex.stop();
    const jobs = await store.queue.listByPlan('p15');
    expect(jobs.filter((j) => j.status === 'running')).toEqual([]);
    const done = jobs.filter((j) => j.status === 'done');
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(10);
    expect(jobs.filter((j) => j.status === 'pending').every((j) => j.attempts === 0)).toBe(true);
    expect(memory.calls('create')).toBe(done.length);
  });
});
