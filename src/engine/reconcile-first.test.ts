import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { reconcileProject, type TestProject } from '../reconcile/test-project.js';
import { openEngine } from './index.js';
import { RECONCILE_REQUIRED } from './planning.js';
import type { Engine } from './types.js';

/**
 * Roster brought into a target that already has people: with match rules
 * configured, nothing is created there before the first reconcile pass has
 * linked what is there, so a person whose existing account has another name
 * than the one Roster would pick never gets a second one.
 */
describe('creates wait for the first reconcile of a target with match rules', () => {
  const projects: TestProject[] = [];
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const p of projects.splice(0)) p.remove();
    memoryTargets.clear();
  });

  const setUp = async () => {
    // Ada already has an account under another name than Roster's "ada.lovelace"; Grace has none.
    const p = reconcileProject('app', [{ username: 'alovelace', employeeNumber: 'E1' }], [
      { id: 'E1', givenName: 'Ada', familyName: 'Lovelace' },
      { id: 'E2', givenName: 'Grace', familyName: 'Hopper' },
    ]);
    projects.push(p);
    const engine = await openEngine(p.config);
    engines.push(engine);
    await engine.readSource('hr', 'test');
    return engine;
  };

  it('holds every create with one warning naming the command, and creates nothing', async () => {
    const engine = await setUp();
    const plan = await engine.plan();
    expect(plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    const held = plan.diagnostics.filter((d) => d.code === RECONCILE_REQUIRED);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ severity: 'warning', target: 'app' });
    expect(held[0]?.message).toMatch(/^2 creates in app held: .*run roster reconcile --target app first/);
    await engine.apply(plan, { actor: 't' });
    expect([...(memoryTargets.get('app')?.accounts.keys() ?? [])]).toEqual(['alovelace']);
  });

  it('after the pass, the existing account is linked and only the person without one gets a create', async () => {
    const engine = await setUp();
    const report = await engine.reconcile('app', { actor: 't' });
    expect(report.matched).toEqual([expect.objectContaining({ identity: 'E1' })]);
    const plan = await engine.plan();
    expect(plan.diagnostics.filter((d) => d.code === RECONCILE_REQUIRED)).toEqual([]);
    expect(plan.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E2']);
    await engine.apply(plan, { actor: 't' });
    expect([...(memoryTargets.get('app')?.accounts.keys() ?? [])].sort()).toEqual(['alovelace', 'grace.hopper']);
  });
});
