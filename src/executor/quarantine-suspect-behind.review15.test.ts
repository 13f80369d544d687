import { afterEach, describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Store } from '../store/types.js';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { Executor } from './executor.js';
import { quarantineKey } from './quarantine.js';
import { create, plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 15 (adversarial): the suspect of a released target-wide quarantine
 * (quarantine-suspect.ts) meeting the error again while "other changes of
 * the target wait" was put back with its attempt undone, due after the
 * backoff of its first attempt (at most backoffBaseMs, 500 ms by default),
 * again and again. Others that wait but will not run soon (a retry due in
 * minutes, a job leased by another worker for a long operation or by a
 * remote worker that died under a long lease) kept it calling the target
 * twice a second, each call meeting the same error: with a wrong bind
 * password, a lockout policy's worth of failed binds, where the target used
 * to be quarantined at the first one.
 */
const refused = (what: string) => new RosterError('target.unavailable', `bind for ${what}: 49 invalid credentials`, { targetWide: true });

function processOn(store: Store, workerId: string, refusing: ReadonlySet<string>, calls: string[]): Executor {
  const connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  const real = connector.create.bind(connector);
  connector.create = async (spec) => {
    const name = String(spec.attributes.username);
    calls.push(name);
    if (refusing.has(name)) throw refused(name);
    return real(spec);
  };
  return new Executor({
    store, connectors: new Map([[TARGET, connector]]), workerId, log: silentLogger, pollMs: 5, random: () => 1,
    // The defaults' backoff (500 ms base), not the tests' usual 1 ms.
    targets: [targetConfig({ concurrency: 2, maxAttempts: 8, backoffBaseMs: 500, backoffMaxMs: 300_000, quarantineAfter: 20 }, { latencyMs: 0 })],
  });
}

/** Run `worker` on `planId` for `ms`, then stop it. */
async function runFor(worker: Executor, planId: string, ms: number): Promise<void> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), ms);
  try {
    await worker.runUntilIdle({ planId, signal: stop.signal });
  } finally {
    clearTimeout(timer);
  }
}

describe.each(storeBackEnds('rqsb15').filter((b) => b.name !== 'sqlite (memory)'))('the suspect put behind others that will not run soon ($name)', (backEnd) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    memoryTargets.clear();
  });

  /** `bad` quarantined the target, and the quarantine was released without a fix: `bad` is the suspect. */
  async function suspectReleased(calls: string[]): Promise<Executor> {
    opened = await backEnd.open();
    const worker = processOn(opened.store, 'w1', new Set(['bad']), calls);
    await worker.enqueuePlan(plan('a1', [create('bad')]));
    await worker.runUntilIdle({ planId: 'a1' });
    expect(await opened.store.state.get(quarantineKey(TARGET))).toMatchObject({ changeId: 'app:bad:create' });
    return worker;
  }

  it('another change waiting for a retry due in ten minutes does not count: quarantined again at once, one call', async () => {
    const calls: string[] = [];
    const worker = await suspectReleased(calls);
    await worker.enqueuePlan(plan('a2', [create('later')]));
    // Its retry is due in ten minutes (a 503 met earlier, say).
    await opened!.db.updateTable('roster_jobs').set({ next_run_at: new Date(Date.now() + 600_000).toISOString(), attempts: 3 }).where('plan_id', '=', 'a2').execute();
    expect(await worker.releaseQuarantine(TARGET, 'op')).toBe(true);
    calls.length = 0;
    await runFor(worker, 'a1', 2_500);
    expect(calls).toEqual(['bad']);
    expect(await worker.isQuarantined(TARGET)).toBe(true);
  });

  it('another change leased for a long operation: put behind with a growing backoff, not every half second', async () => {
    const calls: string[] = [];
    const worker = await suspectReleased(calls);
    await worker.enqueuePlan(plan('a3', [create('slow')]));
    // Another worker runs it, a long operation under a ten-minute lease.
    await opened!.db.updateTable('roster_jobs').where('plan_id', '=', 'a3')
      .set({ status: 'running', worker_id: 'elsewhere', attempts: 1, lease_until: new Date(Date.now() + 600_000).toISOString() }).execute();
    expect(await worker.releaseQuarantine(TARGET, 'op')).toBe(true);
    calls.length = 0;
    await runFor(worker, 'a1', 3_200);
    // Due 0.5 s, 1 s, 2 s after each meeting (random() = 1): three calls in 3.2 s, not six or seven.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(await worker.isQuarantined(TARGET)).toBe(false);
  });
});
