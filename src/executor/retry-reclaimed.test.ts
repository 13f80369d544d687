import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { RosterError } from '../core/errors.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Executor } from './executor.js';
import { create, plan, TARGET, targetConfig } from './testing.js';

/**
 * A failure is written back as a retry due at once; a claim under way in
 * that moment (other jobs finishing) leased the job again before this
 * worker marked its failed copy as recorded, so the new lease was dropped as
 * a duplicate of the copy still finishing: the job sat `running`, leased and
 * never run, and its account's later changes waited a whole lease (60 s).
 * Found against slapd stopped mid-apply (review13, 1 run in 3).
 */
let store: Store;
let connector: Connector;

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 2 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

describe('a retry claimed again while its failure is being recorded', () => {
  it('runs again at once, not after the lease runs out', async () => {
    const real = connector.create.bind(connector);
    let failed = false;
    connector.create = async (spec) => {
      if (spec.attributes.username === 'u0' && !failed) {
        failed = true;
        throw new RosterError('target.unavailable', 'connect ECONNREFUSED', { retryable: true });
      }
      return real(spec);
    };
    // The failure's write lands, then waits for a claim to run before the executor hears it is recorded.
    let claimed: () => void = () => undefined;
    const queue = store.queue;
    const claim = queue.claim.bind(queue);
    queue.claim = async (options) => {
      const jobs = await claim(options);
      // Heard once the executor has taken the jobs in (its claim goes on after this returns).
      setTimeout(() => claimed(), 20);
      return jobs;
    };
    const fail = queue.fail.bind(queue);
    queue.fail = async (...args) => {
      const written = await fail(...args);
      await Promise.race([new Promise<void>((resolve) => (claimed = resolve)), new Promise((resolve) => setTimeout(resolve, 500))]);
      return written;
    };
    const ex = new Executor({
      store, connectors: new Map([[TARGET, connector]]), workerId: 'w1', log: silentLogger, pollMs: 5,
      targets: [targetConfig({ concurrency: 2, backoffBaseMs: 0, backoffMaxMs: 0 })], random: () => 0,
    });
    const p = plan('p1', Array.from({ length: 4 }, (_, i) => create(`u${i}`)));
    await ex.enqueuePlan(p);
    const started = performance.now();
    expect(await ex.runUntilIdle({ planId: 'p1' })).toEqual({ applied: 4, failed: 0 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(failed).toBe(true);
  }, 20_000);
});
