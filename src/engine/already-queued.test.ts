import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import type { Plan } from '../core/types.js';
import type { Engine } from './types.js';
import { ALREADY_QUEUED } from '../planner/index.js';

const people = ['E1', 'E2', 'E3'];
const csv = (names: Readonly<Record<string, string>> = {}) =>
  `employeeId,givenName\n${people.map((p) => `${p},${names[p] ?? p}`).join('\n')}\n`;

const yaml = (store: string) => `
store: ${store}
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: { username: identity.employeeId, displayName: identity.givenName }
    executor: { maxAttempts: 1 }
`;

const jobs = async (engine: Engine) => {
  const stats = await engine.store.queue.stats();
  return stats.pending + stats.running + stats.done + stats.failed + stats.cancelled;
};
const queuedNotes = (plan: Plan) => plan.diagnostics.filter((d) => d.code === ALREADY_QUEUED);
const applied = async (engine: Engine, identity: string) =>
  (await engine.store.audit.list({ identity, kind: 'change.applied' })).map((e) => (e.data as { action?: string }).action ?? (e.reasons ?? []).join(','));

/**
 * The newcomer's sequence: a target held, the HR file changed, a sync whose
 * changes wait in the queue, then plans again. The later plans leave the
 * queued changes out (and say so) instead of enqueuing them again, so after
 * the release each change is applied, and audited, once. A change that
 * differs is still planned; one that failed for good is planned again.
 */
describe.each(['sqlite', 'postgres'] as const)('changes already queued by an earlier plan (%s)', (dialect) => {
  const dir = useEngineDir('already-queued');

  const start = async (): Promise<Engine> => {
    const engine = await dir.open(yaml(await dir.store(dialect, 'roster_already_queued')), { files: { 'employees.csv': csv() } });
    const first = await engine.sync({ actor: 'test' });
    expect(first.result).toMatchObject({ applied: 3, failed: 0, pending: 0 });
    return engine;
  };

  it('are not enqueued again while the target is held, and run once after the release', async () => {
    const engine = await start();
    expect(await engine.holdQuarantine('app', 'ops', 'X')).toBe(true);
    dir.write('employees.csv', csv({ E1: 'Ann', E2: 'Bob', E3: 'Cy' }));
    const held = await engine.sync({ actor: 'test' });
    expect(held.plan.changes.map((c) => `${c.action}:${c.identity}`)).toEqual(['update:E1', 'update:E2', 'update:E3']);
    expect(held.result).toMatchObject({ applied: 0, pending: 3 });
    const before = await jobs(engine);

    // The plan a human reads first: nothing to do, and why.
    const again = await engine.plan({});
    expect(again.changes).toEqual([]);
    expect(again.summary).toEqual({});
    expect(queuedNotes(again)).toEqual([{
      severity: 'info', code: ALREADY_QUEUED, target: 'app',
      message: `3 changes already queued by plan ${held.plan.id}, not finished yet (target app quarantined: they run once it is released): left out of this plan`,
    }]);
    const synced = await engine.sync({ actor: 'test' });
    expect(synced.plan.changes).toEqual([]);
    // Its apply counts only its own jobs: none.
    expect(synced.result).toMatchObject({ applied: 0, failed: 0, pending: 0 });
    expect(await jobs(engine)).toBe(before);

    expect(await engine.releaseQuarantine('app', 'ops')).toBe(true);
    const released = await engine.sync({ actor: 'test' });
    expect(released.plan.changes).toEqual([]);
    expect(queuedNotes(released.plan)).toHaveLength(1);
    expect(queuedNotes(released.plan)[0]!.message).not.toContain('quarantined');
    expect(await engine.store.queue.stats({ planId: held.plan.id })).toMatchObject({ pending: 0, running: 0, done: 3 });
    expect(await jobs(engine)).toBe(before);
    expect(memoryTargets.get('app')!.calls('update')).toBe(3);
    for (const person of people) expect(await applied(engine, person)).toEqual(['create', 'update']);
    expect((await engine.explain('E1')).audit.filter((e) => e.kind === 'change.applied')).toHaveLength(2);
    // Done: the links show it, and nothing is left to plan or to note.
    const after = await engine.plan({});
    expect(after.changes).toEqual([]);
    expect(queuedNotes(after)).toEqual([]);
  });

  it('still plans a change that differs from the queued one', async () => {
    const engine = await start();
    await engine.holdQuarantine('app', 'ops', 'X');
    dir.write('employees.csv', csv({ E1: 'Ann', E2: 'Bob' }));
    const held = await engine.sync({ actor: 'test' });
    expect(held.plan.changes).toHaveLength(2);
    dir.write('employees.csv', csv({ E1: 'Anna', E2: 'Bob' }));
    const next = await engine.sync({ actor: 'test' });
    expect(next.plan.changes.map((c) => [c.action, c.identity, c.after?.attributes])).toEqual([['update', 'E1', { displayName: 'Anna' }]]);
    expect(queuedNotes(next.plan).map((d) => d.message)).toEqual([expect.stringMatching(/^1 change already queued by plan /)]);
    expect(next.result).toMatchObject({ applied: 0, pending: 1 });

    await engine.releaseQuarantine('app', 'ops');
    await engine.sync({ actor: 'test' });
    // In enqueue order: Ann (the first plan's), then Anna.
    expect(memoryTargets.get('app')!.accounts.get('E1')).toMatchObject({ attributes: expect.objectContaining({ displayName: 'Anna' }) });
    expect(await applied(engine, 'E1')).toEqual(['create', 'update', 'update']);
    expect(await applied(engine, 'E2')).toEqual(['create', 'update']);
    expect((await engine.plan({})).changes).toEqual([]);
  });

  it('plans a queued change again once it failed for good', async () => {
    const engine = await start();
    await engine.holdQuarantine('app', 'ops', 'X');
    dir.write('employees.csv', csv({ E1: 'Ann' }));
    const held = await engine.sync({ actor: 'test' });
    expect(held.plan.changes).toHaveLength(1);
    expect((await engine.plan({})).changes).toEqual([]);

    memoryTargets.get('app')!.rejectNext(1, { operations: ['update'] });
    await engine.releaseQuarantine('app', 'ops');
    const failed = await engine.sync({ actor: 'test' });
    expect(failed.plan.changes).toEqual([]);
    expect(await engine.store.queue.stats({ planId: held.plan.id })).toMatchObject({ failed: 1, pending: 0 });

    const retried = await engine.sync({ actor: 'test' });
    expect(retried.plan.changes.map((c) => `${c.action}:${c.identity}`)).toEqual(['update:E1']);
    expect(queuedNotes(retried.plan)).toEqual([]);
    expect(retried.result).toMatchObject({ applied: 1, failed: 0 });
    expect(await applied(engine, 'E1')).toEqual(['create', 'update']);
  });

  it('leaves out a subset plan\'s queued changes too (an HR push, one identity)', async () => {
    const engine = await start();
    await engine.holdQuarantine('app', 'ops', 'X');
    dir.write('employees.csv', csv({ E1: 'Ann', E2: 'Bob' }));
    await engine.sync({ actor: 'test' });
    const one = await engine.plan({ identity: 'E1' });
    expect(one.changes).toEqual([]);
    expect(queuedNotes(one).map((d) => d.message)).toEqual([expect.stringMatching(/^1 change already queued/)]);
    const pushed = await engine.reconcileIdentities(['E1', 'E2', 'E3'], 'test');
    expect(pushed.plan.changes).toEqual([]);
    expect(queuedNotes(pushed.plan).map((d) => d.message)).toEqual([expect.stringMatching(/^2 changes already queued/)]);
  });
});
