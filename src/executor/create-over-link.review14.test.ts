import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import type { Change } from '../core/types.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Executor } from './executor.js';
import { plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 14 (crash into OpenLDAP): a run killed after a create wrote the
 * account but before its job committed leaves the job leased; the next sync
 * plans before it runs, and HR renamed the person meanwhile, so it plans a
 * create with another account key. The first create runs first (ordering
 * key) and links its account; the second made a second account for the same
 * person (in slapd: uid=cy.kbg and uid=cy.kbgx, both employeeNumber E0032).
 */
let store: Store;
let connector: Connector;

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 1 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

const createAs = (username: string, enabled = true): Change => ({
  id: `${TARGET}:E1:create`, identity: 'E1', target: TARGET, action: 'create', before: null,
  after: { accountId: username, enabled, attributes: { username, email: `${username}@example.com` } }, reasons: ['joiner'],
});

async function accounts(): Promise<{ accountId: string; username: unknown; enabled: boolean }[]> {
  const out = [];
  for await (const account of connector.list()) out.push({ accountId: account.accountId, username: account.attributes.username, enabled: account.enabled });
  return out;
}

describe('a create whose person was linked by an earlier plan\'s create meanwhile (review 14)', () => {
  it('brings the linked account in line instead of making a second one', async () => {
    const executor = new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig()], workerId: 'w1', log: silentLogger, pollMs: 5 });
    await executor.enqueuePlan(plan('p1', [createAs('cy.k')]));
    await executor.enqueuePlan(plan('p2', [createAs('cy.kx', false)]));
    await executor.runUntilIdle();

    const held = await accounts();
    expect(held.map((a) => [a.username, a.enabled])).toEqual([['cy.kx', false]]);
    const link = await store.accounts.get(TARGET, 'E1');
    expect(link).toMatchObject({ accountId: held[0]?.accountId, enabled: false, attributes: { username: 'cy.kx' } });
    expect(link?.disabledAt).toBeDefined();
    const applied = await store.audit.list({ kind: 'change.applied' });
    expect(applied.map((e) => (e.data as { planId: string; linked?: boolean }))).toEqual([
      expect.not.objectContaining({ linked: true }),
      expect.objectContaining({ planId: 'p2', linked: true }),
    ]);
  });

  it('a link whose account is gone from the target is no reason not to create', async () => {
    const executor = new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig()], workerId: 'w1', log: silentLogger, pollMs: 5 });
    await executor.enqueuePlan(plan('p1', [createAs('cy.k')]));
    await executor.runUntilIdle();
    const first = await store.accounts.get(TARGET, 'E1');
    await connector.delete(first!.accountId);
    await executor.enqueuePlan(plan('p2', [createAs('cy.kx')]));
    await executor.runUntilIdle();
    expect((await accounts()).map((a) => a.username)).toEqual(['cy.kx']);
    expect((await store.accounts.get(TARGET, 'E1'))?.accountId).not.toBe(first?.accountId);
  });
});
