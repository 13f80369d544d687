import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import type { Change } from '../core/types.js';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Executor } from './executor.js';
import { grant, plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 21 (adversarial): a create that fails for good leaves no account,
 * so the changes queued behind it are not attempted. But a create that runs
 * over a link (apply-change.ts createOverLink: an earlier plan's create, left
 * leased by a crash, linked the person first; HR renamed them meanwhile) fails
 * with the account there: its rename refused leaves the linked account as it
 * was, and the changes behind it (its grants; a later plan's leaver disable)
 * stand on that account. They were failed as "not attempted: the create of
 * … failed", and the leaver kept an enabled account until the next plan.
 */
let store: Store;
let connector: Connector;
let memory: MemoryTarget;

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  memory = memoryTargets.get(TARGET) as MemoryTarget;
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

const createAs = (username: string): Change => ({
  id: `${TARGET}:E1:create`, identity: 'E1', target: TARGET, action: 'create', before: null,
  after: { accountId: username, enabled: true, attributes: { username, email: `${username}@example.com` } }, reasons: ['joiner'],
});
const disable = (username: string): Change => ({
  id: `${TARGET}:E1:disable`, identity: 'E1', target: TARGET, action: 'disable', before: { accountId: username, enabled: true }, after: { enabled: false }, reasons: ['leaver.terminated'],
});

describe('a create over a link that fails for good (review21)', () => {
  it('leaves the changes behind it to run against the linked account: its grant, a later leaver\'s disable', async () => {
    const ex = new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig({ concurrency: 1 }, { latencyMs: 0 })], workerId: 'w1', log: silentLogger, pollMs: 5 });
    await ex.enqueuePlan(plan('p0', [createAs('cy.k')]));
    await ex.runUntilIdle({ planId: 'p0' });
    expect(await store.accounts.get(TARGET, 'E1')).toMatchObject({ accountId: 'cy.k', enabled: true });

    // p1 was planned with the renamed key while p0's create waited; the target refuses the rename (the uid is taken).
    memory.rejectNext(1, { operations: ['update'], message: 'the uid cy.kx is taken' });
    await ex.enqueuePlan(plan('p1', [createAs('cy.kx'), { ...grant('E1', 'staff'), after: { accountId: 'cy.kx', entitlement: 'staff' } }]));
    await ex.enqueuePlan(plan('p2', [disable('cy.k')]));
    await ex.runUntilIdle();

    const states = async (planId: string) => (await store.queue.listByPlan(planId)).map((j) => [j.change.action, j.status]);
    expect(await states('p1')).toEqual([['create', 'failed'], ['grant', 'done']]);
    expect(await states('p2')).toEqual([['disable', 'done']]);
    expect(memory.snapshot('cy.k')).toMatchObject({ enabled: false, entitlements: ['staff'] });
    expect(await store.audit.list({ kind: 'change.not_attempted' })).toEqual([]);
  });
});
