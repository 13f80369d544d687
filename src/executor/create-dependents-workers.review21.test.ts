import { afterEach, describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Change } from '../core/types.js';
import type { Store } from '../store/types.js';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { Executor } from './executor.js';
import { create, grant, plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 21: a create failed for good fails the changes queued behind it in
 * the same transaction, so two processes claiming at once (PostgreSQL's SKIP
 * LOCKED, SQLite's exclusive claim) never run one of them: none reaches the
 * target, none is left pending.
 */

/** Grants the target was asked for, `account:entitlement`. */
let granted: string[] = [];

function processOn(store: Store, workerId: string): Executor {
  const connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  const [realCreate, realGrant] = [connector.create.bind(connector), connector.grant.bind(connector)];
  connector.create = async (spec) => {
    const name = String(spec.attributes.username);
    await new Promise((resolve) => setTimeout(resolve, 1));
    // Every other joiner's create is refused: the bind account may not add entries there.
    if (Number(name.slice(1)) % 2 === 1) throw new RosterError('target.rejected', `create on app: insufficient access to add ${name}`);
    return realCreate(spec);
  };
  connector.grant = async (id, entitlement) => {
    granted.push(`${id}:${entitlement}`);
    return realGrant(id, entitlement);
  };
  return new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig({ concurrency: 4, maxAttempts: 3 }, { latencyMs: 0 })], workerId, log: silentLogger, pollMs: 5 });
}

describe.each(storeBackEnds('rq21d').filter((b) => b.name !== 'sqlite (memory)'))('a create failed for good, two processes ($name)', (backEnd) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    memoryTargets.clear();
    granted = [];
  });

  it('40 joiners, every other create refused: its grants never run and are failed as not attempted; the rest are done', async () => {
    opened = await backEnd.open();
    const store2 = await opened.second();
    const [a, b] = [processOn(opened.store, 'wa'), processOn(store2, 'wb')];
    const people = Array.from({ length: 40 }, (_, i) => `j${i}`);
    // As the planner orders them: the creates, then the grants.
    const changes: Change[] = [...people.map(create), ...people.flatMap((p) => ['staff', 'vpn', 'wiki'].map((g) => grant(p, g)))];
    await a.enqueuePlan(plan('p40', changes));
    await Promise.all([a.runUntilIdle({ planId: 'p40' }), b.runUntilIdle({ planId: 'p40' })]);

    const jobs = await opened.store.queue.listByPlan('p40');
    const refused = (identity: string) => Number(identity.slice(1)) % 2 === 1;
    for (const job of jobs) {
      const who = job.change.identity;
      if (!refused(who)) expect([job.change.id, job.status]).toEqual([job.change.id, 'done']);
      else if (job.change.action === 'create') expect([job.change.id, job.status, job.lastError]).toEqual([job.change.id, 'failed', `target.rejected: create on app: insufficient access to add ${who}`]);
      else expect([job.change.id, job.status, job.lastError]).toEqual([job.change.id, 'failed', `not attempted: the create of ${who} on app failed: target.rejected: create on app: insufficient access to add ${who}`]);
    }
    expect(granted.filter((g) => refused(g.split(':')[0]!))).toEqual([]);
    expect(granted).toHaveLength(60);
    expect(await opened.store.queue.stats({ planId: 'p40' })).toMatchObject({ done: 80, failed: 80, pending: 0, running: 0 });
    expect(await opened.store.audit.list({ kind: 'change.failed', limit: 100 })).toHaveLength(20);
    expect(await opened.store.audit.list({ kind: 'change.not_attempted', limit: 100 })).toHaveLength(60);
  });
});
