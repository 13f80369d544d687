import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Executor } from './executor.js';
import { create, firstCreateFailsWhenReleased, grant, plan, TARGET, targetConfig, unauthorized } from './testing.js';

/**
 * Review 21 (adversarial): a create that meets a target-wide error (a 401 to
 * everything) is not failed: the target is quarantined and the create goes
 * back to pending with its attempt undone. Its grants, this plan's and a later
 * plan's, must wait behind it, not be failed "not attempted"; once the target
 * is released they run, after the create, once.
 */
let store: Store;
let connector: Connector;
beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

describe('a create that quarantines its target (review21)', () => {
  it('keeps the changes behind it pending; released, they run after it', async () => {
    const gate = firstCreateFailsWhenReleased(connector, unauthorized('ada'));
    const ex = new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig({ concurrency: 1 }, { latencyMs: 0 })], workerId: 'w1', log: silentLogger, pollMs: 5 });
    await ex.enqueuePlan(plan('p1', [create('ada'), grant('ada', 'staff')]));
    const run = ex.runUntilIdle({ planId: 'p1' });
    for (let i = 0; i < 200 && (await store.queue.get('p1:app:ada:create'))?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 5));
    await ex.enqueuePlan(plan('p2', [grant('ada', 'vpn')]));
    gate.release();
    expect(await run).toEqual({ applied: 0, failed: 0 });
    expect(await ex.isQuarantined(TARGET)).toBe(true);
    const states = async () => Object.fromEntries((await Promise.all(['p1', 'p2'].map((p) => store.queue.listByPlan(p)))).flat().map((j) => [j.id, [j.status, j.attempts]]));
    expect(await states()).toEqual({ 'p1:app:ada:create': ['pending', 0], 'p1:app:ada:grant:staff': ['pending', 0], 'p2:app:ada:grant:vpn': ['pending', 0] });
    expect(await store.audit.list({ kind: 'change.not_attempted' })).toEqual([]);

    await ex.releaseQuarantine(TARGET, 'test');
    await ex.runUntilIdle();
    expect(await states()).toEqual({ 'p1:app:ada:create': ['done', 1], 'p1:app:ada:grant:staff': ['done', 1], 'p2:app:ada:grant:vpn': ['done', 1] });
    expect(gate.calls).toEqual(['ada', 'ada']);
    expect(memoryTargets.get(TARGET)?.snapshot('ada')).toMatchObject({ entitlements: ['staff', 'vpn'] });
  });
});
