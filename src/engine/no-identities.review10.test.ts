import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { mayApplyOrphanPlan, unforceableHolds } from '../reconcile/holds.js';
import { memoKey, unlinkedKey } from '../reconcile/memo.js';
import { NO_IDENTITIES } from '../reconcile/no-identities.js';
import { reconcileProject, type TestProject } from '../reconcile/test-project.js';
import { openEngine } from './index.js';
import { RECONCILE_REQUIRED } from './planning.js';
import type { Engine } from './types.js';

/**
 * A reconcile pass before anything read the HR sources (review10): the store
 * has no identity, so the pass could only call every account an orphan, and
 * remembering it would release the target's creates: the next plan (which
 * reads the sources) would give everyone a second account. It is refused.
 */
describe('reconcile over a store with no identities', () => {
  const projects: TestProject[] = [];
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const p of projects.splice(0)) p.remove();
    memoryTargets.clear();
  });

  const setUp = async (orphans: 'report' | 'disable' | 'delete' = 'disable') => {
    // Ada already has an account under another name than Roster's "ada.lovelace"; Grace has none; old.one is nobody's.
    const p = reconcileProject('app', [{ username: 'alovelace', employeeNumber: 'E1' }, { username: 'old.one' }], [
      { id: 'E1', givenName: 'Ada', familyName: 'Lovelace' },
      { id: 'E2', givenName: 'Grace', familyName: 'Hopper' },
    ]);
    projects.push(p);
    p.write(orphans);
    const engine = await openEngine(p.config);
    engines.push(engine);
    return engine;
  };
  const accounts = () => [...(memoryTargets.get('app')?.accounts ?? [])].map(([id, a]) => `${id}:${a.enabled}`).sort();

  for (const orphans of ['disable', 'delete'] as const) {
    it(`writes no memo, links and acts on nothing even with apply and force (orphans: ${orphans}), and says to read the sources first`, async () => {
      const engine = await setUp(orphans);
      const report = await engine.reconcile('app', { actor: 't', apply: true, force: true, removeVanished: true });
      expect(report.createsHeld).toMatch(/^app: no identities yet: read 2 accounts, .*creates in app stay held\. Run `roster plan` or `roster sync` first, which reads the HR sources, then reconcile$/);
      expect(report).toMatchObject({ accounts: 2, linked: 0, matched: [], orphans: [], disputed: [], vanished: [] });
      expect(report.plan).toMatchObject({ changes: [], held: true, holds: [{ code: NO_IDENTITIES, target: 'app', count: 2 }] });
      expect(report.result).toBeUndefined();
      expect(await engine.store.state.get(memoKey('app'))).toBeUndefined();
      expect(await engine.store.state.get(unlinkedKey('app'))).toBeUndefined();
      expect(await engine.store.accounts.listByTarget('app')).toEqual([]);
      expect(accounts()).toEqual(['alovelace:true', 'old.one:true']);
      const [entry] = await engine.store.audit.list({ kind: 'target.reconciled', limit: 10 });
      expect(entry).toMatchObject({ target: 'app', reasons: [NO_IDENTITIES], data: { accounts: 2, held: true, createsHeld: report.createsHeld } });
    });
  }

  it('leaves the creates held after the sources are read; the pass after that links Ada and the plan creates only Grace', async () => {
    const engine = await setUp('report');
    await engine.reconcile('app', { actor: 't' });
    await engine.readSource('hr', 't');
    const held = await engine.plan();
    expect(held.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect(held.diagnostics.filter((d) => d.code === RECONCILE_REQUIRED)).toMatchObject([{ target: 'app' }]);
    const report = await engine.reconcile('app', { actor: 't' });
    expect(report.createsHeld).toBeUndefined();
    expect(report.matched).toMatchObject([{ identity: 'E1', accountId: 'alovelace' }]);
    expect(report.orphans).toMatchObject([{ accountId: 'old.one' }]);
    expect(await engine.store.state.get(memoKey('app'))).toBeDefined();
    const plan = await engine.plan();
    expect(plan.diagnostics.filter((d) => d.code === RECONCILE_REQUIRED)).toEqual([]);
    expect(plan.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E2']);
  });

  it('a target with no account read is a pass like any other (nothing to match): --force accepts the empty directory', async () => {
    const p = reconcileProject('empty', [], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    projects.push(p);
    const engine = await openEngine(p.config);
    engines.push(engine);
    const report = await engine.reconcile('empty', { actor: 't', force: true });
    expect(report.createsHeld).toBeUndefined();
    expect(report.plan.holds).toEqual([]);
    expect(await engine.store.state.get(memoKey('empty'))).toBeDefined();
  });

  it('saves the refused pass\'s plan with its hold, which --force does not lift', async () => {
    const engine = await setUp('disable');
    const report = await engine.reconcile('app', { actor: 't' });
    expect(await engine.store.plans.get(report.plan.id)).toMatchObject({ changes: [], held: true, holds: [{ code: NO_IDENTITIES }] });
    expect(unforceableHolds(report.plan).map((h) => h.code)).toEqual([NO_IDENTITIES]);
    expect(mayApplyOrphanPlan(report.plan, true)).toBe(false);
  });
});
