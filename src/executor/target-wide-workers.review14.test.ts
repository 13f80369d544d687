import { afterEach, describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import type { Store } from '../store/types.js';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { Executor } from './executor.js';
import { failuresKey } from './quarantine.js';
import { create, plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 14 (adversarial): a target-wide error met by many jobs in flight in
 * two processes (two stores on one database) at once, a release while the
 * cause is not fixed, and a background worker (`roster serve`) that must not
 * spin re-claiming and re-failing the target's jobs.
 */
const wrongPassword = () => new RosterError('target.unavailable', 'create on app: the bind DN or password is wrong (LDAP 49: Invalid Credentials)', { targetWide: true });

let broken = true;
let refused = 0;

function processOn(store: Store, workerId: string, concurrency = 8): Executor {
  const connector: Connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  const real = connector.create.bind(connector);
  connector.create = async (spec) => {
    if (broken) {
      refused += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw wrongPassword();
    }
    return real(spec);
  };
  return new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig({ concurrency, maxAttempts: 1, quarantineAfter: 3 }, { latencyMs: 0 })], workerId, log: silentLogger, pollMs: 5 });
}

const creates = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => create(`${prefix}${i}`));

describe.each(storeBackEnds('rq14w').filter((b) => b.name !== 'sqlite (memory)'))('target-wide error, two processes ($name)', (backEnd) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    memoryTargets.clear();
    broken = true;
    refused = 0;
  });

  it('32 jobs in flight in two processes: one quarantine, one audit entry, every job pending with no attempt spent', async () => {
    opened = await backEnd.open();
    const store2 = await opened.second();
    const [a, b] = [processOn(opened.store, 'wa', 16), processOn(store2, 'wb', 16)];
    await a.enqueuePlan(plan('p32', creates('p', 64)));
    await Promise.all([a.runUntilIdle({ planId: 'p32' }), b.runUntilIdle({ planId: 'p32' })]);
    expect(await opened.store.audit.list({ kind: 'target.quarantined', limit: 10 })).toHaveLength(1);
    expect(await opened.store.audit.list({ kind: 'change.failed', limit: 10 })).toEqual([]);
    const jobs = await opened.store.queue.listByPlan('p32');
    expect(jobs.filter((j) => j.status !== 'pending')).toEqual([]);
    expect(jobs.filter((j) => j.attempts !== 0)).toEqual([]);
    expect(refused).toBeLessThanOrEqual(32);
    expect(await opened.store.state.get(failuresKey(TARGET))).toBeUndefined();

    // Released with the password still wrong: quarantined again at once, still nothing failed or spent.
    refused = 0;
    expect(await b.releaseQuarantine(TARGET, 'op')).toBe(true);
    await Promise.all([a.runUntilIdle({ planId: 'p32' }), b.runUntilIdle({ planId: 'p32' })]);
    expect(await a.isQuarantined(TARGET)).toBe(true);
    expect(await opened.store.audit.list({ kind: 'target.quarantined', limit: 10 })).toHaveLength(2);
    expect(await opened.store.queue.stats({ planId: 'p32' })).toMatchObject({ pending: 64, failed: 0, done: 0, running: 0 });
    expect((await opened.store.queue.listByPlan('p32')).filter((j) => j.attempts !== 0)).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(32);

    broken = false;
    await a.releaseQuarantine(TARGET, 'op');
    await Promise.all([a.runUntilIdle({ planId: 'p32' }), b.runUntilIdle({ planId: 'p32' })]);
    expect(await opened.store.queue.stats({ planId: 'p32' })).toMatchObject({ pending: 0, failed: 0, done: 64, running: 0 });
  });

  it('a background worker (serve) with the target unusable from the start does not spin', async () => {
    opened = await backEnd.open();
    const ex = processOn(opened.store, 'serve', 4);
    await ex.enqueuePlan(plan('bg', creates('bg', 40)));
    ex.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const seen = refused;
    await ex.stop();
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(4);
    expect(await opened.store.queue.stats({ planId: 'bg' })).toMatchObject({ pending: 40, failed: 0, running: 0 });
  });
});
