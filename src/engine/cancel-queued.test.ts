import { describe, expect, it } from 'vitest';
import { employeesCsv, slowMemoryYaml, useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { isRosterError } from '../core/errors.js';

const people = Array.from({ length: 40 }, (_, i) => `E${String(i + 1).padStart(2, '0')}`);
const files = employeesCsv(people);
const yaml = (store: string, latencyMs: number, concurrency: number) => slowMemoryYaml(store, { latencyMs, concurrency });

const accounts = () => memoryTargets.get('app')?.accounts.size ?? 0;

/**
 * An operator cancels a plan in the middle of its apply (the wrong plan, or
 * a big apply to stop): the changes running finish, the rest never run, the
 * apply waiting on the plan returns, and the next plan computes again what
 * is still needed. Real engine and store (SQLite and PostgreSQL); a memory
 * target slow enough to catch mid-apply.
 */
describe.each(['sqlite', 'postgres'] as const)('cancelling a plan mid-apply (%s)', (dialect) => {
  const dir = useEngineDir('cancel-plan');

  it('runs none of its pending changes, returns the apply, audits the cancel, and the next plan has the rest', async () => {
    const engine = await dir.open(yaml(await dir.store(dialect, 'roster_cancel'), 15, 2), { files });
    await engine.readSource('hr', 'test');
    const plan = await engine.plan({});
    expect(plan.changes).toHaveLength(people.length);

    let cancel: Promise<{ cancelled: number; running: number }> | undefined;
    let atCancel = 0;
    const result = await engine.apply(plan, {
      actor: 'test',
      onProgress: () => {
        if (cancel !== undefined) return;
        // Counted when the cancel has taken effect (it reads the store first: under load, more changes start meanwhile).
        cancel = engine.cancelQueued({ planId: plan.id }, 'ops', 'wrong plan').then((done) => {
          atCancel = accounts();
          return done;
        });
      },
    });
    const cancelled = await cancel!;
    const created = accounts();
    // What was running (2 at most, the target's concurrency) finished; the jobs leased ahead here were cancelled too.
    expect(created).toBeGreaterThanOrEqual(atCancel);
    expect(created).toBeLessThanOrEqual(atCancel + 2);
    expect(cancelled.cancelled).toBe(people.length - created);
    expect(result).toMatchObject({ planId: plan.id, applied: created, failed: 0, pending: 0, cancelled: people.length - created });
    expect(await engine.store.queue.stats({ planId: plan.id })).toEqual({ pending: 0, running: 0, done: created, failed: 0, cancelled: people.length - created });
    expect(await engine.store.queue.stats({ target: 'app' })).toMatchObject({ pending: 0, cancelled: people.length - created });
    const audit = await engine.store.audit.list({ kind: 'queue.cancelled' });
    expect(audit.map((e) => ({ actor: e.actor, target: e.target, data: e.data }))).toEqual([
      { actor: 'ops', target: undefined, data: { planId: plan.id, reason: 'wrong plan', cancelled: people.length - created } },
    ]);

    // Nothing was lost: the next plan creates exactly the accounts the cancelled changes would have.
    const next = await engine.plan({});
    const have = new Set(memoryTargets.get('app')!.accounts.keys());
    expect(next.changes.map((c) => `${c.action} ${c.identity}`).sort()).toEqual(people.filter((p) => !have.has(p)).map((p) => `create ${p}`));
    const rest = await engine.apply(next, { actor: 'test' });
    expect(rest).toMatchObject({ applied: people.length - created, failed: 0, pending: 0 });
    expect(rest.cancelled).toBeUndefined();
    expect(accounts()).toBe(people.length);
  });
});

describe('cancelling queued changes: what the engine refuses or reports', () => {
  const dir = useEngineDir('cancel-edges');

  it('names an unknown plan or target, needs one of them, and reports a plan with nothing pending', async () => {
    const engine = await dir.open(yaml(await dir.store('sqlite', 'unused'), 0, 2), { files });
    await engine.readSource('hr', 'test');
    const plan = await engine.plan({});
    await expect(engine.cancelQueued({ planId: 'no-such-plan' }, 'ops', 'x')).rejects.toSatisfy((e) => isRosterError(e, 'plan.not_found'));
    await expect(engine.cancelQueued({ target: 'nope' }, 'ops', 'x')).rejects.toSatisfy((e) => isRosterError(e, 'target.not_found'));
    await expect(engine.cancelQueued({}, 'ops', 'x')).rejects.toSatisfy((e) => isRosterError(e, 'request.invalid'));
    // Saved, never applied: nothing to cancel, nothing audited.
    expect(await engine.cancelQueued({ planId: plan.id }, 'ops', 'x')).toEqual({ planId: plan.id, cancelled: 0, running: 0 });
    expect(await engine.cancelQueued({ target: 'app' }, 'ops', 'x')).toEqual({ target: 'app', cancelled: 0, running: 0 });
    expect(await engine.store.audit.list({ kind: 'queue.cancelled' })).toEqual([]);
  });
});

/**
 * `roster queue cancel` beside a running `roster serve`: the serving process
 * has leased ahead every job not yet run (they count as running); it reads
 * the cancel within its poll, cancels those it has not started, and its
 * apply returns.
 */
describe('a cancel by another process', () => {
  const dir = useEngineDir('cancel-other');
  const other = useEngineDir('cancel-other-cli');

  it('the serving process cancels the jobs it leased and has not started; its apply returns', async () => {
    const store = await dir.store('postgres', 'roster_cancel_other');
    const many = Array.from({ length: 200 }, (_, i) => `P${String(i + 1).padStart(4, '0')}`);
    const manyFiles = { 'employees.csv': `employeeId,givenName\n${many.map((p) => `${p},${p}`).join('\n')}\n` };
    const serving = await dir.open(yaml(store, 20, 1), { files: manyFiles });
    await serving.readSource('hr', 'test');
    const plan = await serving.plan({});
    const cli = await other.open(yaml(store, 20, 1), { files: manyFiles });
    const applying = serving.apply(plan, { actor: 'test' });
    while (accounts() < 10) await new Promise((resolve) => setTimeout(resolve, 5));
    const cancelled = await cli.cancelQueued({ planId: plan.id }, 'ops', 'stop');
    const atCancel = accounts();
    // What was not yet run was leased ahead by the serving process: counted as running, for it to cancel.
    expect(cancelled.running).toBeGreaterThan(many.length / 2);
    const result = await applying;
    const created = accounts();
    expect(result.applied).toBe(created);
    expect(result.cancelled).toBeGreaterThan(0);
    expect(created + result.cancelled!).toBe(many.length);
    // One at a time at 20 ms each; the serving process reads the cancel within its poll (200 ms): about 10 more.
    expect(created).toBeLessThan(atCancel + 50);
    expect(await serving.store.queue.stats({ planId: plan.id })).toMatchObject({ pending: 0, running: 0, cancelled: result.cancelled });
    // Each part audited: the canceller's (when it found any pending) and the serving worker's, which names it.
    const audit = await serving.store.audit.list({ kind: 'queue.cancelled' });
    expect(audit.reduce((sum, e) => sum + (e.data as { cancelled: number }).cancelled, 0)).toBe(result.cancelled);
    expect(audit.find((e) => (e.data as { worker?: string }).worker !== undefined)).toMatchObject({ actor: 'ops', data: { planId: plan.id, reason: 'stop' } });
  });
});
