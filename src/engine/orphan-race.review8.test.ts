import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets, type MemoryTarget } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { Plan } from '../core/types.js';
import type { Engine } from './types.js';

/**
 * `roster serve` (its executor) and `roster reconcile --yes` (another
 * process) share one store. The executor creates E1's account; the pass
 * reads the target (the account is there) and the links (its link is not
 * yet: the create's completion commits it a moment later). To the pass the
 * account is linked to nobody: an orphan. With `orphans: delete|disable` the
 * brand-new account of a legitimate joiner must not be deleted or disabled:
 * the orphan action is checked against the links again, when the plan is
 * made and when the change is applied, and skipped (reported, audited).
 */
describe.each(['sqlite', 'postgres'] as const)('an orphan action racing a create in another process (%s, review8)', (dialect) => {
  const serveDir = useEngineDir('review8-orphan-serve');
  const cliDir = useEngineDir('review8-orphan-cli');

  async function open(action: 'delete' | 'disable'): Promise<{ serve: Engine; cli: Engine; target: MemoryTarget }> {
    const store = await serveDir.store(dialect, 'roster_orphan_race');
    const yaml = (url: string) => `
store: ${url}
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: race
    type: memory
    connection:
      key: username
      seed:
        - { attributes: { username: "stale.one" }, enabled: true }
    accountKey: username
    attributes:
      username: identity.employeeId.lowerAscii()
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    reconcile: { orphans: ${action} }
`;
    const files = { 'hr.csv': 'employeeId,givenName\nE1,Ada\n' };
    const serve = await serveDir.open(yaml(store), { files, log: silentLogger });
    const cli = await cliDir.open(yaml(dialect === 'sqlite' ? `sqlite:${serve.config.baseDir}/roster.db` : store), { files, log: silentLogger });
    return { serve, cli, target: memoryTargets.get('race')! };
  }

  /** Starts applying serve's plan and resolves once E1's account is in the target, its link not yet in the store. */
  async function createPaused(serve: Engine, target: MemoryTarget): Promise<{ plan: Plan; finish: () => Promise<void> }> {
    await serve.readSource('hr', 'test');
    const plan = await serve.plan();
    expect(plan.changes.map((c) => [c.action, c.identity])).toEqual([['create', 'E1']]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let created!: () => void;
    const inTarget = new Promise<void>((resolve) => (created = resolve));
    const run = target.run.bind(target);
    target.run = (async (operation: Parameters<MemoryTarget['run']>[0], body: () => unknown) => {
      const result = await run(operation, body);
      if (operation === 'create') {
        created();
        await gate;
      }
      return result;
    }) as MemoryTarget['run'];
    const applying = serve.apply(plan, { actor: 'serve' });
    await inTarget;
    expect(target.accounts.has('e1')).toBe(true);
    expect(await serve.store.accounts.get('race', 'E1')).toBeUndefined();
    return {
      plan,
      finish: async () => {
        release();
        expect((await applying).errors).toEqual([]);
        expect(await serve.store.accounts.get('race', 'E1')).toMatchObject({ accountId: 'e1' });
      },
    };
  }

  function expectSurvived(target: MemoryTarget, action: 'delete' | 'disable'): void {
    expect(target.accounts.get('e1')?.enabled).toBe(true);
    // The real orphan was acted on: the check spares only accounts someone is linked to.
    if (action === 'delete') expect(target.accounts.has('stale.one')).toBe(false);
    else expect(target.accounts.get('stale.one')?.enabled).toBe(false);
  }

  it.each(['delete', 'disable'] as const)('orphans: %s — the link lands after the plan is made: the change is skipped when applied', async (action) => {
    const { serve, cli, target } = await open(action);
    const { finish } = await createPaused(serve, target);
    // The link lands between the pass (its plan saved) and the apply of the orphan plan.
    const save = cli.store.plans.save.bind(cli.store.plans);
    let landed = false;
    cli.store.plans.save = async (plan: Plan) => {
      await save(plan);
      if (!landed) {
        landed = true;
        await finish();
      }
    };
    const report = await cli.reconcile('race', { actor: 'cli', apply: true });
    expect(landed).toBe(true);
    expect(report.plan.changes.map((c) => [c.action, c.before?.accountId])).toEqual([[action, 'e1'], [action, 'stale.one']]);
    expectSurvived(target, action);
    expect(await cli.store.accounts.get('race', 'E1')).toMatchObject({ accountId: 'e1' });
    const skipped = await cli.store.audit.list({ kind: 'change.skipped' });
    expect(skipped.map((e) => ({ target: e.target, reasons: e.reasons, data: e.data }))).toEqual([{
      target: 'race', reasons: [`reconcile.orphan.${action}`, 'reconcile.orphan_linked'],
      data: expect.objectContaining({ planId: report.plan.id, action, accountId: 'e1', linkedTo: 'E1' }),
    }]);
  });

  it.each(['delete', 'disable'] as const)('orphans: %s — the create is still under way when the orphan change runs: skipped, the real orphan acted on', async (action) => {
    const { serve, cli, target } = await open(action);
    const { finish } = await createPaused(serve, target);
    // The pass and its apply run start to end while E1's account is in the target and its link is not in the store.
    const report = await cli.reconcile('race', { actor: 'cli', apply: true });
    expect(report.plan.changes.map((c) => [c.action, c.before?.accountId])).toEqual([[action, 'e1'], [action, 'stale.one']]);
    expect(target.accounts.get('e1')?.enabled).toBe(true);
    const skipped = await cli.store.audit.list({ kind: 'change.skipped' });
    expect(skipped.map((e) => ({ target: e.target, reasons: e.reasons, data: e.data }))).toEqual([{
      target: 'race', reasons: [`reconcile.orphan.${action}`, 'reconcile.create_under_way'],
      data: expect.objectContaining({ planId: report.plan.id, action, accountId: 'e1', creating: 'E1' }),
    }]);
    await finish();
    expectSurvived(target, action);
  });

  it('orphans: delete — the link lands while the pass runs: the orphan is left out of the plan and reported', async () => {
    const { serve, cli, target } = await open('delete');
    const { finish } = await createPaused(serve, target);
    // The link lands just after the pass read the links.
    const listByTarget = cli.store.accounts.listByTarget.bind(cli.store.accounts);
    let landed = false;
    cli.store.accounts.listByTarget = async (id: string) => {
      const links = await listByTarget(id);
      if (!landed) {
        landed = true;
        await finish();
      }
      return links;
    };
    const report = await cli.reconcile('race', { actor: 'cli', apply: true });
    expect(landed).toBe(true);
    expect(report.orphans.map((o) => o.accountId)).toEqual(['stale.one']);
    expect(report.linkedMeanwhile).toEqual([{ accountId: 'e1', identity: 'E1' }]);
    expect(report.plan.changes.map((c) => c.before?.accountId)).toEqual(['stale.one']);
    expectSurvived(target, 'delete');
    const audit = await cli.store.audit.list({ kind: 'reconcile.orphan_skipped' });
    expect(audit.map((e) => ({ target: e.target, identity: e.identity, data: e.data }))).toEqual([
      { target: 'race', identity: 'E1', data: { accountId: 'e1', reason: 'linked since the pass read the links' } },
    ]);
  });
});
