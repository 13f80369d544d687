import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { Plan } from '../core/types.js';
import { ALREADY_QUEUED } from '../planner/index.js';
import type { Engine } from './types.js';

const people = ['E1', 'E2', 'E3'];
const csv = (names: Readonly<Record<string, string>> = {}) =>
  `employeeId,givenName\n${people.map((p) => `${p},${names[p] ?? p}`).join('\n')}\n`;

const yaml = (store: string, orphans = 'report') => `
store: ${store}
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection:
      key: username
      seed:
        - { attributes: { username: "stale.one" }, enabled: true }
        - { attributes: { username: "stale.two" }, enabled: true }
    accountKey: username
    attributes: { username: identity.employeeId, displayName: identity.givenName }
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    reconcile: { orphans: ${orphans} }
    executor: { maxAttempts: 1 }
`;

const allJobs = async (engine: Engine) => {
  const stats = await engine.store.queue.stats();
  return stats.pending + stats.running + stats.done + stats.failed + stats.cancelled;
};
const notes = (plan: Plan) => plan.diagnostics.filter((d) => d.code === ALREADY_QUEUED).map((d) => d.message);
const appliedOf = async (engine: Engine, kind = 'change.applied') => (await engine.store.audit.list({ kind })).length;

/**
 * The gaps left by the already-queued rule (review11): reconcile's orphan
 * plans, a plan another process raced (it queued an equal change after the
 * plan was made), and what apply says ran after a release.
 */
describe.each(['sqlite', 'postgres'] as const)('changes already queued, review11 (%s)', (dialect) => {
  const dir = useEngineDir('review11-queued');
  const second = useEngineDir('review11-queued-b');

  it('reconcile passes before the queue drains queue an orphan disable once; it runs once after the release', async () => {
    const engine = await dir.open(yaml(await dir.store(dialect, 'roster_r11_orphans'), 'disable'), { files: { 'employees.csv': csv() }, log: silentLogger });
    expect((await engine.sync({ actor: 'test' })).result).toMatchObject({ applied: 3, failed: 0 });
    await engine.holdQuarantine('app', 'ops', 'CHG-1');
    const first = await engine.reconcile('app', { actor: 'test', apply: true });
    expect(first.plan.changes.map((c) => `${c.action}:${c.before?.accountId}`).sort()).toEqual(['disable:stale.one', 'disable:stale.two']);
    expect(first.result).toMatchObject({ applied: 0, pending: 2 });
    const jobs = await allJobs(engine);

    // The scheduler's next pass (or a human's), the target still held: nothing new to queue, and why.
    const again = await engine.reconcile('app', { actor: 'test', apply: true });
    expect(again.orphans).toHaveLength(2);
    expect(again.plan.changes).toEqual([]);
    expect(again.plan.summary).toEqual({});
    expect(notes(again.plan)).toEqual([`2 changes already queued by plan ${first.plan.id}, not finished yet (target app quarantined: they run once it is released): left out of this plan`]);
    expect(await allJobs(engine)).toBe(jobs);
    expect((await engine.store.plans.get(again.plan.id))?.diagnostics.map((d) => d.code)).toEqual([ALREADY_QUEUED]);

    await engine.releaseQuarantine('app', 'ops');
    await engine.sync({ actor: 'test' });
    expect(memoryTargets.get('app')!.calls('setEnabled')).toBe(2);
    expect([...memoryTargets.get('app')!.accounts].filter(([, a]) => !a.enabled).map(([id]) => id).sort()).toEqual(['stale.one', 'stale.two']);
    expect(await engine.store.queue.stats({ planId: first.plan.id })).toMatchObject({ done: 2, pending: 0 });
    expect((await engine.store.audit.list({ kind: 'change.applied' })).filter((e) => e.reasons?.includes('reconcile.orphan.disable'))).toHaveLength(2);
    // Disabled now: a pass after the release plans nothing and notes nothing.
    const after = await engine.reconcile('app', { actor: 'test', apply: true });
    expect(after.plan.changes).toEqual([]);
    expect(notes(after.plan)).toEqual([]);
  });

  it('a plan made before another process queued an equal change leaves it out when applied, and says so', async () => {
    const url = await dir.store(dialect, 'roster_r11_race');
    const a = await dir.open(yaml(url), { files: { 'employees.csv': csv() }, log: silentLogger });
    const b = await second.open(yaml(dialect === 'sqlite' ? `sqlite:${a.config.baseDir}/roster.db` : url), { files: { 'employees.csv': csv() }, log: silentLogger });
    await a.sync({ actor: 'a' });
    await a.holdQuarantine('app', 'ops', 'CHG-1');
    const changed = csv({ E1: 'Ann', E2: 'Bob' });
    dir.write('employees.csv', changed);
    second.write('employees.csv', changed);

    // A reads the waiting changes (none) and plans; then B plans and enqueues the same changes; then A applies.
    await a.readSource('hr', 'a');
    const planA = await a.plan({ actor: 'a' });
    expect(planA.changes.map((c) => `${c.action}:${c.identity}`)).toEqual(['update:E1', 'update:E2']);
    const synced = await b.sync({ actor: 'b' });
    expect(synced.plan.changes).toHaveLength(2);
    expect(synced.result).toMatchObject({ applied: 0, pending: 2 });
    const jobs = await allJobs(a);

    const result = await a.apply(planA, { actor: 'a' });
    expect(await allJobs(a)).toBe(jobs);
    expect(result).toMatchObject({ planId: planA.id, applied: 0, failed: 0, pending: 0 });
    const note = `2 changes queued by plan ${synced.plan.id} after this plan was made (another process), not finished yet: left out when this plan was applied`;
    expect(result.leftOut).toEqual({ changes: 2, notes: [{ severity: 'info', code: ALREADY_QUEUED, target: 'app', message: note }] });
    // The stored plan is the plan as applied: its counts and its notes.
    const stored = await a.store.plans.get(planA.id);
    expect(stored?.changes).toEqual([]);
    expect(stored?.summary).toEqual({});
    expect(notes(stored!)).toEqual([note]);
    expect((await a.store.audit.list({ kind: 'plan.already_queued' })).map((e) => e.data)).toEqual([
      { planId: planA.id, leftOut: 2, queuedBy: [synced.plan.id], changeIds: planA.changes.map((c) => c.id) },
    ]);

    await a.releaseQuarantine('app', 'ops');
    await a.sync({ actor: 'a' });
    expect(memoryTargets.get('app')!.calls('update')).toBe(2);
    expect(await appliedOf(a)).toBe(3 + 2);
  });

  it('two plans of the same changes applied at once from two processes queue them once', async () => {
    const url = await dir.store(dialect, 'roster_r11_both');
    const a = await dir.open(yaml(url), { files: { 'employees.csv': csv() }, log: silentLogger });
    const b = await second.open(yaml(dialect === 'sqlite' ? `sqlite:${a.config.baseDir}/roster.db` : url), { files: { 'employees.csv': csv() }, log: silentLogger });
    await a.sync({ actor: 'a' });
    await a.holdQuarantine('app', 'ops', 'CHG-1');
    const changed = csv({ E1: 'Ann', E2: 'Bob', E3: 'Cy' });
    dir.write('employees.csv', changed);
    second.write('employees.csv', changed);
    await a.readSource('hr', 'a');
    await b.readSource('hr', 'b');
    const [planA, planB] = [await a.plan({ actor: 'a' }), await b.plan({ actor: 'b' })];
    expect(planA.changes).toHaveLength(3);
    expect(planB.changes).toHaveLength(3);
    const before = await allJobs(a);
    const [ra, rb] = await Promise.all([a.apply(planA, { actor: 'a' }), b.apply(planB, { actor: 'b' })]);
    expect(await allJobs(a)).toBe(before + 3);
    expect([ra.leftOut?.changes ?? 0, rb.leftOut?.changes ?? 0].sort()).toEqual([0, 3]);
    expect([ra.pending, rb.pending].sort()).toEqual([0, 3]);
  });

  it('apply after a release says what ran: the earlier plan\'s jobs, by plan, with their counts', async () => {
    const engine = await dir.open(yaml(await dir.store(dialect, 'roster_r11_released')), { files: { 'employees.csv': csv() }, log: silentLogger });
    await engine.sync({ actor: 'test' });
    await engine.holdQuarantine('app', 'ops', 'CHG-1');
    dir.write('employees.csv', csv({ E1: 'Ann', E2: 'Bob', E3: 'Cy' }));
    const held = await engine.sync({ actor: 'test' });
    expect(held.result).toMatchObject({ applied: 0, pending: 3 });
    expect(held.result?.released).toBeUndefined();
    memoryTargets.get('app')!.rejectNext(1, { operations: ['update'] });
    await engine.releaseQuarantine('app', 'ops');
    const plan = await engine.plan({ actor: 'test' });
    expect(plan.changes).toEqual([]);
    const result = await engine.apply(plan, { actor: 'test' });
    expect(result).toMatchObject({ planId: plan.id, applied: 0, failed: 0, pending: 0 });
    expect(result.released).toEqual([{ planId: held.plan.id, applied: 2, failed: 1, pending: 0 }]);
    // Nothing waits now: the next apply ran nothing else.
    expect((await engine.apply(await engine.plan({}), { actor: 'test' })).released).toBeUndefined();
  });
});
