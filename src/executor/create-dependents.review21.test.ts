import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutorConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import type { Change } from '../core/types.js';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Executor } from './executor.js';
import { create, grant, plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 21: the changes queued behind a create that fails for good (the
 * target refuses it) cannot succeed; they are not attempted, each failed
 * with an error naming the create and its error, and audited as
 * `change.not_attempted`. A retryable create failure keeps them waiting.
 */

let store: Store;
let connector: Connector;
let memory: MemoryTarget;
/** Usernames whose create the target refuses for good (insufficient access). */
let refused: Set<string>;
/** Every write the target was asked for, `operation:account[:entitlement]`, in order. */
let calls: string[];

const update = (identity: string, attributes: Record<string, unknown>): Change => ({
  id: `${TARGET}:${identity}:update`, identity, target: TARGET, action: 'update', before: { accountId: identity }, after: { attributes }, reasons: ['mapping.changed'],
});
/** A delete planned to follow a queued create (planner/superseded.ts): no account id of its own. */
const gone = (identity: string): Change => ({
  id: `${TARGET}:${identity}:delete`, identity, target: TARGET, action: 'delete', before: null, after: null, reasons: ['queued.superseded'],
});
const enable = (identity: string): Change => ({
  id: `${TARGET}:${identity}:enable`, identity, target: TARGET, action: 'enable', before: { accountId: identity, enabled: false }, after: { enabled: true }, reasons: ['joiner'],
});

function executor(config: Partial<ExecutorConfig> = {}, workerId = 'w1', on = store): Executor {
  return new Executor({
    store: on, connectors: new Map([[TARGET, connector]]), targets: [targetConfig({ concurrency: 1, ...config }, { latencyMs: 0 })], workerId, log: silentLogger, pollMs: 5,
  });
}

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  memory = memoryTargets.get(TARGET) as MemoryTarget;
  refused = new Set();
  calls = [];
  const real = { create: connector.create.bind(connector), grant: connector.grant.bind(connector), update: connector.update.bind(connector) };
  connector.create = async (spec) => {
    const name = String(spec.attributes.username);
    calls.push(`create:${name}`);
    if (refused.has(name)) throw new RosterError('target.rejected', `create on app: insufficient access to add ${name} (LDAP 50)`);
    return real.create(spec);
  };
  connector.grant = async (id, entitlement) => {
    calls.push(`grant:${id}:${entitlement}`);
    return real.grant(id, entitlement);
  };
  connector.update = async (id, attributes, before) => {
    calls.push(`update:${id}`);
    return real.update(id, attributes, before);
  };
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

const statuses = async (planId: string) => Object.fromEntries((await store.queue.listByPlan(planId)).map((j) => [j.change.id, [j.status, j.lastError]]));
const CAUSE = 'target.rejected: create on app: insufficient access to add ada (LDAP 50)';

describe('a create failed for good: the changes behind it are not attempted', () => {
  it('its grants and enable are failed with an error naming the create, never sent to the target; other accounts run', async () => {
    refused.add('ada');
    const ex = executor();
    await ex.enqueuePlan(plan('p1', [create('ada'), create('bob'), grant('ada', 'staff'), grant('bob', 'staff'), grant('ada', 'vpn'), enable('ada')]));
    expect(await ex.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 2, failed: 4 });

    expect(calls).toEqual(['create:ada', 'create:bob', 'grant:bob:staff']);
    const said = `not attempted: the create of ada on app failed: ${CAUSE}`;
    expect(await statuses('p1')).toEqual({
      'app:ada:create': ['failed', CAUSE],
      'app:bob:create': ['done', undefined],
      'app:ada:grant:staff': ['failed', said],
      'app:bob:grant:staff': ['done', undefined],
      'app:ada:grant:vpn': ['failed', said],
      'app:ada:enable': ['failed', said],
    });
    // The audit log: one failure, and its dependents under their own kind, each naming the cause.
    expect((await store.audit.list({ kind: 'change.failed' })).map((e) => (e.data as { changeId: string }).changeId)).toEqual(['app:ada:create']);
    const skipped = await store.audit.list({ kind: 'change.not_attempted' });
    expect(skipped.map((e) => (e.data as { changeId: string }).changeId).sort()).toEqual(['app:ada:enable', 'app:ada:grant:staff', 'app:ada:grant:vpn']);
    expect(skipped[0]).toMatchObject({ identity: 'ada', target: TARGET, data: { planId: 'p1', error: said, cause: { planId: 'p1', changeId: 'app:ada:create', code: 'target.rejected', error: CAUSE } } });
    expect(await store.queue.stats({ planId: 'p1' })).toMatchObject({ done: 2, failed: 4, pending: 0, running: 0 });
    // Nothing reached the target for ada, and a refused create is no failure of the target towards quarantine beyond its own.
    expect(memory.snapshot('ada')).toBeUndefined();
    expect(await store.accounts.get(TARGET, 'ada')).toBeUndefined();
  });

  it('the next plan, once the right is granted, creates and grants normally, once', async () => {
    refused.add('ada');
    const ex = executor();
    await ex.enqueuePlan(plan('p1', [create('ada'), grant('ada', 'staff'), grant('ada', 'vpn')]));
    await ex.runUntilIdle({ planId: 'p1' });
    refused.clear();
    calls = [];
    await ex.enqueuePlan(plan('p2', [create('ada'), grant('ada', 'staff'), grant('ada', 'vpn')]));
    expect(await ex.runUntilIdle({ planId: 'p2' })).toEqual({ applied: 3, failed: 0 });
    expect(calls).toEqual(['create:ada', 'grant:ada:staff', 'grant:ada:vpn']);
    expect(memory.snapshot('ada')).toMatchObject({ entitlements: ['staff', 'vpn'] });
    expect(memory.accounts.size).toBe(1);
    expect(await store.accounts.get(TARGET, 'ada')).toMatchObject({ entitlements: ['staff', 'vpn'] });
    expect((await store.audit.list({ kind: 'change.applied' })).map((e) => (e.data as { action: string }).action)).toEqual(['create', 'grant', 'grant']);
  });

  it('a retryable create failure keeps its grants waiting behind it, in order; they run once it succeeds', async () => {
    memory.failNext(2, { operations: ['create'] });
    const ex = executor({ maxAttempts: 5 });
    await ex.enqueuePlan(plan('p1', [create('ada'), grant('ada', 'staff')]));
    expect(await ex.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 2, failed: 0 });
    expect(calls).toEqual(['create:ada', 'create:ada', 'create:ada', 'grant:ada:staff']);
    expect(await store.audit.list({ kind: 'change.not_attempted' })).toEqual([]);
  });

  it('a retryable create failure whose attempts run out fails for good: its grants are not attempted', async () => {
    memory.failNext(10, { operations: ['create'] });
    const ex = executor({ maxAttempts: 2 });
    await ex.enqueuePlan(plan('p1', [create('ada'), grant('ada', 'staff')]));
    expect(await ex.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 0, failed: 2 });
    expect(calls).toEqual(['create:ada', 'create:ada']);
    expect((await store.queue.get('p1:app:ada:grant:staff'))?.lastError)
      .toBe('not attempted: the create of ada on app failed: target.unavailable: memory target app is unavailable (injected)');
  });

  it('a failed update leaves the account there: the grant after it still runs', async () => {
    const ex = executor();
    await ex.enqueuePlan(plan('p0', [create('ada')]));
    await ex.runUntilIdle({ planId: 'p0' });
    calls = [];
    memory.rejectNext(1, { operations: ['update'] });
    await ex.enqueuePlan(plan('p1', [update('ada', { email: 'x@example.com' }), grant('ada', 'staff')]));
    expect(await ex.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 1, failed: 1 });
    expect(calls).toEqual(['update:ada', 'grant:ada:staff']);
    expect(await statuses('p1')).toMatchObject({ 'app:ada:update': ['failed', expect.stringMatching(/^target\.rejected: /)], 'app:ada:grant:staff': ['done', undefined] });
    expect(await store.audit.list({ kind: 'change.not_attempted' })).toEqual([]);
  });

  it('a later plan\'s changes queued behind the create are not attempted, up to that plan\'s own create; a later delete still runs', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = connector.create.bind(connector);
    let first = true;
    connector.create = async (spec) => {
      if (first) {
        // p1's create: refused for good, once the later plans are queued behind it.
        first = false;
        await gate;
        throw new RosterError('target.rejected', 'create on app: insufficient access to add ada (LDAP 50)');
      }
      return inner(spec);
    };
    const ex = executor();
    await ex.enqueuePlan(plan('p1', [create('ada'), grant('ada', 'staff')]));
    const run = ex.runUntilIdle({ planId: 'p1' });
    for (let i = 0; i < 200 && (await store.queue.get('p1:app:ada:create'))?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 5));
    // Made while p1's create waited: p2 grants on top of it, p3 has a create of its own (then allowed), p4 follows p3.
    await ex.enqueuePlan(plan('p2', [grant('ada', 'vpn'), gone('ada')]));
    await ex.enqueuePlan(plan('p3', [create('ada'), grant('ada', 'wiki')]));
    await ex.enqueuePlan(plan('p4', [grant('ada', 'mail')]));
    release();
    await run;
    for (const id of ['p2', 'p3', 'p4']) await ex.runUntilIdle({ planId: id });

    const said = `not attempted: the create of ada on app failed: ${CAUSE}`;
    expect(await statuses('p1')).toEqual({ 'app:ada:create': ['failed', CAUSE], 'app:ada:grant:staff': ['failed', said] });
    expect(await statuses('p2')).toEqual({ 'app:ada:grant:vpn': ['failed', said], 'app:ada:delete': ['done', undefined] });
    expect(await statuses('p3')).toEqual({ 'app:ada:create': ['done', undefined], 'app:ada:grant:wiki': ['done', undefined] });
    expect(await statuses('p4')).toEqual({ 'app:ada:grant:mail': ['done', undefined] });
    expect(memory.snapshot('ada')).toMatchObject({ entitlements: ['mail', 'wiki'] });
  });
});
