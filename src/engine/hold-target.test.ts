import { describe, expect, it } from 'vitest';
import { employeesCsv, slowMemoryYaml, useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';

const people = Array.from({ length: 40 }, (_, i) => `E${String(i + 1).padStart(2, '0')}`);

/**
 * A target held by hand in the middle of an apply (the operator's stop
 * button): the changes already running finish, nothing else starts, the rest
 * wait in the queue, and a release lets them run. Real engine and store
 * (SQLite and PostgreSQL); a memory target slow enough to catch mid-apply.
 */
describe.each(['sqlite', 'postgres'] as const)('holding a target mid-apply (%s)', (dialect) => {
  const dir = useEngineDir('hold-target');

  it('stops its changes from starting, and the release runs them', async () => {
    const engine = await dir.open(`
store: ${await dir.store(dialect, 'roster_hold')}
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username, latencyMs: 15 }
    accountKey: username
    attributes: { username: identity.employeeId }
    executor: { concurrency: 2 }
`, { files: { 'employees.csv': `employeeId,givenName\n${people.map((p) => `${p},${p}`).join('\n')}\n` } });
    await engine.readSource('hr', 'test');
    const plan = await engine.plan({});
    expect(plan.changes).toHaveLength(people.length);

    let held: Promise<boolean> | undefined;
    let atHold = 0;
    const result = await engine.apply(plan, {
      actor: 'test', force: true,
      onProgress: () => {
        if (held !== undefined) return;
        held = engine.holdQuarantine('app', 'ops', 'stop: wrong plan').then((result) => {
          atHold = memoryTargets.get('app')!.accounts.size;
          return result;
        });
      },
    });
    expect(await held).toBe(true);
    const created = memoryTargets.get('app')!.accounts.size;
    expect(result.applied).toBe(created);
    // What was running when the hold was in place (2 at most, the target's concurrency) finished; nothing more started.
    expect(atHold).toBeLessThan(people.length / 2);
    expect(created).toBeGreaterThanOrEqual(atHold);
    expect(created).toBeLessThanOrEqual(atHold + 2);
    expect((await engine.store.queue.stats({ planId: plan.id })).pending).toBe(people.length - created);
    const audit = await engine.store.audit.list({ kind: 'target.quarantined' });
    expect(audit.map((e) => ({ actor: e.actor, target: e.target, data: e.data }))).toEqual([
      { actor: 'ops', target: 'app', data: expect.objectContaining({ reason: 'stop: wrong plan', manual: true }) },
    ]);

    expect(await engine.releaseQuarantine('app', 'ops')).toBe(true);
    // The next sync's apply runs the queue: the held changes first (the new plan has nothing more to do).
    await engine.sync({ actor: 'test', force: true });
    expect(memoryTargets.get('app')!.accounts.size).toBe(people.length);
    expect((await engine.store.queue.stats({ planId: plan.id })).pending).toBe(0);
  });
});

/**
 * `roster quarantine hold` beside a running `roster serve`: the serving
 * process has jobs leased ahead; its next claim reads the hold and gives
 * them back.
 */
describe('a hold set by another process', () => {
  const dir = useEngineDir('hold-other');
  const other = useEngineDir('hold-other-cli');

  it('stops the serving process at its next claim', async () => {
    const store = await dir.store('postgres', 'roster_hold_other');
    const yaml = slowMemoryYaml(store, { latencyMs: 20, concurrency: 1 });
    const many = Array.from({ length: 200 }, (_, i) => `P${String(i + 1).padStart(4, '0')}`);
    const files = employeesCsv(many);
    const serving = await dir.open(yaml, { files });
    await serving.readSource('hr', 'test');
    const plan = await serving.plan({});
    const cli = await other.open(yaml, { files });
    const applying = serving.apply(plan, { actor: 'test', force: true });
    // Past the first claims: jobs are leased ahead in this process's lanes.
    while (memoryTargets.get('app')!.accounts.size < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await cli.holdQuarantine('app', 'ops', 'maintenance')).toBe(true);
    const atHold = memoryTargets.get('app')!.accounts.size;
    const result = await applying;
    const created = memoryTargets.get('app')!.accounts.size;
    expect(result.applied).toBe(created);
    // One at a time at 20 ms each: 50 changes a second; the serving process reads the hold at its next claim.
    expect(created).toBeLessThan(atHold + 50);
    expect((await serving.store.queue.stats({ planId: plan.id })).pending).toBe(many.length - created);
  });
});
