import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutorConfig, TargetConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { SecretBox } from '../core/secrets.js';
import type { Change, DesiredAccount, Job } from '../core/types.js';
import { SecretAttributes } from '../engine/secret-attributes.js';
import { diffAccount } from '../planner/diff.js';
import { applyChange } from './apply-change.js';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { createConnector } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Executor } from './executor.js';
import { recordFailure, type FailureContext } from './failure.js';
import type { QuarantineKeeper } from './quarantine.js';
import { create, grant, plan, TARGET, targetConfig } from './testing.js';

/**
 * Review 14: an error that says the whole target cannot be used (a wrong bind
 * password) quarantines the target at once and fails no change for good: each
 * change goes back to pending with its attempt undone, and runs once the
 * target is released.
 */

const wrongPassword = () => new RosterError('target.unavailable', 'create on app: the bind DN or password is wrong (LDAP 49: Invalid Credentials)', {
  targetWide: true, details: { resultCode: 49 },
});

let store: Store;
let connector: Connector;
let memory: MemoryTarget;
/** While true, every create fails with wrongPassword(). */
let broken = true;
/** Creates that met the error. */
let refused = 0;

function executor(config: Partial<ExecutorConfig> = {}, workerId = 'w1'): Executor {
  return new Executor({ store, connectors: new Map([[TARGET, connector]]), targets: [targetConfig(config, { latencyMs: 0 })], workerId, log: silentLogger, pollMs: 5 });
}

beforeEach(async () => {
  broken = true;
  refused = 0;
  store = await openStore('sqlite::memory:');
  connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  memory = memoryTargets.get(TARGET) as MemoryTarget;
  const real = connector.create.bind(connector);
  connector.create = async (spec) => {
    if (broken) {
      refused += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
      throw wrongPassword();
    }
    return real(spec);
  };
});
afterEach(async () => {
  await store.close();
  memoryTargets.clear();
});

const audit = async (kind: string) => store.audit.list({ kind, limit: 1000 });

describe('Executor (review 14): a target-wide error', () => {
  it('quarantines the target at once, fails no change, and leaves every change pending with no attempt spent', async () => {
    const ex = executor({ concurrency: 3, quarantineAfter: 20, maxAttempts: 1 });
    const changes = Array.from({ length: 8 }, (_, i) => create(`p${i}`));
    await ex.enqueuePlan(plan('tw1', [...changes, grant('p0', 'staff')]));
    expect(await ex.runUntilIdle({ planId: 'tw1' })).toEqual({ applied: 0, failed: 0 });

    expect(await ex.isQuarantined(TARGET)).toBe(true);
    expect(await store.state.get('quarantine:app')).toMatchObject({ reason: expect.stringMatching(/^target\.unavailable: .*the bind DN or password is wrong/) });
    const quarantined = await audit('target.quarantined');
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.data).toMatchObject({ targetWide: true, reason: expect.stringMatching(/password is wrong/) });
    expect(await audit('change.failed')).toEqual([]);
    const jobs = await store.queue.listByPlan('tw1');
    expect(jobs.map((j) => j.status)).toEqual(Array.from({ length: 9 }, () => 'pending'));
    // maxAttempts 1: a spent attempt would make the next failure final; none was spent.
    expect(jobs.map((j) => j.attempts)).toEqual(Array.from({ length: 9 }, () => 0));
    // At most the jobs in flight together met the error: the rest were given back unrun.
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(3);

    broken = false;
    expect(await ex.releaseQuarantine(TARGET)).toBe(true);
    expect(await ex.runUntilIdle({ planId: 'tw1' })).toEqual({ applied: 9, failed: 0 });
    expect(memory.accounts.size).toBe(8);
    expect(memory.snapshot('p0')?.entitlements).toEqual(['staff']);
  });

  it('jobs of the target another worker leased are not failed either: one quarantine, one audit entry', async () => {
    const [a, b] = [executor({ concurrency: 2 }, 'wa'), executor({ concurrency: 2 }, 'wb')];
    await a.enqueuePlan(plan('tw2', Array.from({ length: 12 }, (_, i) => create(`q${i}`))));
    await Promise.all([a.runUntilIdle({ planId: 'tw2' }), b.runUntilIdle({ planId: 'tw2' })]);
    expect(await audit('target.quarantined')).toHaveLength(1);
    expect(await audit('change.failed')).toEqual([]);
    expect(await store.queue.stats({ planId: 'tw2' })).toMatchObject({ pending: 12, running: 0, failed: 0, done: 0 });
  });

  it('the same error without the flag fails the change for good, as before', async () => {
    connector.create = async () => { throw new RosterError('target.unavailable', 'create on app: the bind DN or password is wrong'); };
    const ex = executor({ concurrency: 1, quarantineAfter: 20 });
    await ex.enqueuePlan(plan('tw3', [create('r1'), create('r2')]));
    expect(await ex.runUntilIdle({ planId: 'tw3' })).toEqual({ applied: 0, failed: 2 });
    expect(await ex.isQuarantined(TARGET)).toBe(false);
  });
});

describe('recordFailure (review 14): a target-wide error', () => {
  const NOW = new Date('2026-11-27T09:00:00.000Z');
  const job: Job = {
    id: 'j1', planId: 'p1', target: TARGET, orderingKey: 'app:E1', seq: 1, status: 'running', attempts: 8,
    nextRunAt: NOW.toISOString(), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), change: create('E1'),
  };

  function context(quarantineFails: boolean) {
    const calls: string[] = [];
    const fakeStore = {
      queue: {
        async fail(id: string, _e: string, retryAt: Date | null) { calls.push(`fail ${id} ${retryAt === null ? 'final' : 'retry'}`); return true; },
        async release(ids: string[], worker: string) { calls.push(`release ${ids.join(',')} ${worker}`); return ids.length; },
      },
    } as unknown as Store;
    const quarantine = {
      async quarantineNow(target: string, reason: string) {
        if (quarantineFails) throw new Error('state store down');
        calls.push(`quarantine ${target} ${reason}`);
        return true;
      },
      async failed() { calls.push('counted'); return false; },
      async judgeTargetWide() { return 'quarantine'; },
    } as unknown as QuarantineKeeper;
    const ctx: FailureContext = {
      store: fakeStore, log: silentLogger, actor: 'test', quarantine, now: () => NOW, random: () => 0.5, workerId: 'w1',
      config: { concurrency: 1, maxAttempts: 8, backoffBaseMs: 10, backoffMaxMs: 20, quarantineAfter: 20 },
    };
    return { ctx, calls };
  }

  it('with its attempts used up: quarantined and released, never failed for good nor counted', async () => {
    const { ctx, calls } = context(false);
    const record = await recordFailure(job, wrongPassword(), ctx);
    expect(record).toMatchObject({ outcome: 'retry', quarantined: true, recorded: true });
    expect(calls).toEqual([`quarantine app target.unavailable: ${wrongPassword().message}`, 'release j1 w1']);
  });

  it('when the quarantine cannot be written: retried after a backoff, still not failed for good', async () => {
    const { ctx, calls } = context(true);
    const record = await recordFailure(job, wrongPassword(), ctx);
    expect(record).toMatchObject({ outcome: 'retry', quarantined: false, recorded: true });
    expect(calls).toEqual(['fail j1 retry']);
  });
});

describe('applyChange (review 14): a target-wide error of a change with secrets', () => {
  it('keeps its flag when the secrets are scrubbed from it', async () => {
    const box = new SecretBox(randomBytes(32));
    const target = { id: 'app', accountKey: 'username', secrets: ['password'] } as unknown as TargetConfig;
    const desired: DesiredAccount = {
      target: 'app', identityId: 'E1', present: true, enabled: true, reasons: ['joiner'], attributes: { username: 'ada', password: 's3cret-value' }, entitlements: [], explanations: [],
    };
    const secrets = new SecretAttributes(box, [target]);
    const out: Change[] = [];
    diffAccount(secrets.hide([desired], () => undefined)[0]!, undefined, target, out);
    const change = secrets.seal(out)[0]!;
    const now = new Date();
    const refusing = {
      kind: 'fake', capabilities: { entitlements: false },
      async create() { throw new RosterError('target.unavailable', 'the bind DN or password is wrong (quoted: s3cret-value)', { targetWide: true }); },
    } as unknown as Connector;
    const thrown = await applyChange({
      id: 'j1', planId: 'p1', target: 'app', orderingKey: 'app:E1', seq: 1, status: 'running', attempts: 1,
      nextRunAt: now.toISOString(), createdAt: now.toISOString(), updatedAt: now.toISOString(), change,
    }, {
      store: { accounts: { async get() { return undefined; } } } as unknown as Store,
      connector: refusing, actor: 'test', now: () => now, secrets: ['password'], unseal: (sealed, context) => box.unseal(sealed, context),
    }).then(() => undefined, (error: unknown) => error as RosterError);
    expect(thrown?.message).not.toContain('s3cret-value');
    expect(thrown?.targetWide).toBe(true);
  });
});
