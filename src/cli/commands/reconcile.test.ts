import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { openEngine } from '../../engine/index.js';
import type { Engine } from '../../engine/types.js';
import { reconcileProject, type TestProject } from '../../reconcile/test-project.js';
import { runCli } from '../main.js';
import type { CliIo } from '../io.js';
import { capturedIo } from '../testing.js';

/** `roster reconcile` in-process over a real engine and a seeded memory target. */
describe('roster reconcile', () => {
  let p: TestProject | undefined;
  const run = async (...args: string[]) => runWith({}, ...args);
  const runWith = async (io: Partial<CliIo>, ...args: string[]) => {
    const captured = capturedIo({ cwd: p!.dir, ...io });
    const code = await runCli(['node', 'roster', 'reconcile', '--config', p!.config, ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  /** Without --target, --json prints an array of reports, one per target, even for a configuration with one. */
  const onlyReport = (stdout: string) => {
    const reports: unknown = JSON.parse(stdout);
    expect(Array.isArray(reports) && reports.length === 1, stdout).toBe(true);
    return (reports as Record<string, any>[])[0]!;
  };
  const ingest = async () => {
    const engine = await openEngine(p!.config);
    await engine.readSource('hr', 'test');
    await engine.close();
  };
  afterEach(() => {
    p?.remove();
    memoryTargets.clear();
  });

  it('exits 1 when orphan actions are held by a safety limit, with and without --json; --force applies them and exits 0', async () => {
    p = reconcileProject('cli-held', [{ username: 'old.one' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    p.write('disable', '0');
    await ingest();
    const json = await run('--target', 'cli-held', '--json', '--yes');
    expect(JSON.parse(json.stdout).plan).toMatchObject({ held: true, holds: [{ code: 'safety.max_disables' }] });
    expect(json.code).toBe(1);
    const text = await run('--target', 'cli-held', '--yes');
    expect(text.stderr).toContain('held by a safety limit');
    expect(text.code).toBe(1);
    expect(memoryTargets.get('cli-held')?.accounts.get('old.one')?.enabled).toBe(true);
    const forced = await run('--target', 'cli-held', '--json', '--yes', '--force');
    expect(JSON.parse(forced.stdout).result).toMatchObject({ applied: 1 });
    expect(forced.code).toBe(0);
    expect(memoryTargets.get('cli-held')?.accounts.get('old.one')?.enabled).toBe(false);
  });

  it('--json prints the report of --target X as an object, and without --target an array, however many targets', async () => {
    p = reconcileProject('cli-shape', [{ username: 'old.one' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    await ingest();
    const one = JSON.parse((await run('--target', 'cli-shape', '--json')).stdout);
    expect(one).toMatchObject({ target: 'cli-shape', orphans: [{ accountId: 'old.one' }] });
    const all = JSON.parse((await run('--json')).stdout);
    expect(all).toMatchObject([{ target: 'cli-shape', orphans: [{ accountId: 'old.one' }] }]);
  });

  it('--link settles a dispute: the account is linked, the next report counts it linked and the plan creates nothing', async () => {
    p = reconcileProject('cli-link', [{ username: 'kjohnson', employeeNumber: 'E6' }, { username: 'katherine.j', employeeNumber: 'E6' }], [
      { id: 'E6', givenName: 'Katherine', familyName: 'Johnson' },
    ]);
    await ingest();
    const disputed = await run('--json');
    expect(disputed.code).toBe(1);
    expect(onlyReport(disputed.stdout).disputed).toHaveLength(2);
    const linked = await run('--link', 'cli-link', 'E6', 'kjohnson');
    expect(linked.stdout).toContain('E6 is linked to kjohnson in cli-link');
    expect(linked.code).toBe(0);
    const engine = await openEngine(p.config);
    const plan = await engine.plan();
    expect(await engine.store.accounts.get('cli-link', 'E6')).toMatchObject({ accountId: 'kjohnson' });
    await engine.close();
    expect(plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect(plan.diagnostics).toEqual([]);
  });

  it('--link refuses a wrong number of values and an account the last reconcile did not find unlinked', async () => {
    p = reconcileProject('cli-bad', [], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    await ingest();
    const short = await run('--link', 'cli-bad', 'E1');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--link takes three values');
    expect(short.stdout).toBe('');
    const unknown = await run('--link', 'cli-bad', 'E1', 'ada');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('ada is not an unlinked account of the last reconcile of cli-bad');
  });

  it('applies exactly the orphan plan it showed and the user confirmed: an orphan appearing meanwhile is not touched, and the pass is audited once', async () => {
    p = reconcileProject('cli-shown', [{ username: 'old.one' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    p.write('disable');
    await ingest();
    const target = () => memoryTargets.get('cli-shown')!;
    const asked: string[] = [];
    const shown = await runWith({
      isTTY: true,
      confirm: async (question) => {
        asked.push(question);
        target().accounts.set('old.two', { attributes: { username: 'old.two' }, enabled: true, entitlements: new Set() });
        return true;
      },
    }, '--target', 'cli-shown');
    expect(asked).toEqual(['Apply 1 orphan changes in cli-shown?']);
    expect(shown.stdout).toContain('1 applied');
    expect(shown.code).toBe(0);
    expect(target().accounts.get('old.one')?.enabled).toBe(false);
    expect(target().accounts.get('old.two')?.enabled).toBe(true);
    const engine = await openEngine(p.config);
    const passes = await engine.store.audit.list({ kind: 'target.reconciled' });
    await engine.close();
    expect(passes).toHaveLength(1);
  });

  it('refuses the confirmed plan when the store changed while the user was asked: stale, nothing applied', async () => {
    p = reconcileProject('cli-stale', [{ username: 'old.one' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    p.write('disable');
    await ingest();
    let opened: Engine | undefined;
    const stale = await runWith({
      isTTY: true,
      openEngine: async (path, options) => (opened = await openEngine(path, options)),
      confirm: async () => {
        await opened!.store.accounts.upsert({
          target: 'cli-stale', identityId: 'E1', accountId: 'ada.lovelace', attributes: {}, entitlements: [], enabled: true, createdAt: '', updatedAt: '',
        });
        return true;
      },
    }, '--target', 'cli-stale');
    expect(stale.stderr).toMatch(/the state changed since this reconcile was made \(serial \d+ → \d+\); nothing was applied; run roster reconcile again/);
    expect(stale.code).toBe(1);
    expect(memoryTargets.get('cli-stale')?.accounts.get('old.one')?.enabled).toBe(true);
  });

  it('keeps the links a short read did not return, says why and exits 1, --force too; --remove-vanished removes them', async () => {
    p = reconcileProject('cli-short', [], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }, { id: 'E2', givenName: 'Grace', familyName: 'Hopper' }]);
    const engine = await openEngine(p.config);
    await engine.readSource('hr', 'test');
    await engine.reconcile('cli-short', { actor: 'test' });
    await engine.sync({ actor: 'test' });
    await engine.close();
    memoryTargets.get('cli-short')!.accounts.clear();
    const held = await run('--json');
    expect(onlyReport(held.stdout)).toMatchObject({ vanished: [], vanishedHeld: { hold: { code: 'safety.vanished' }, links: [{ identity: 'E1' }, { identity: 'E2' }] } });
    expect(held.stderr).toContain('the read of cli-short returned 0 of 2 linked accounts: check connection.base / users.base and the bind account\'s rights; links kept');
    expect(held.stderr).toContain('if these 2 accounts really were deleted, run again with --remove-vanished');
    expect(held.code).toBe(1);
    const text = await run();
    expect(text.stdout).toContain('KEPT LINK (NOT READ)');
    expect(text.code).toBe(1);
    // --force is for orphan plans past their limits: the preview pass removes no link with it.
    const forced = await run('--json', '--force');
    expect(onlyReport(forced.stdout)).toMatchObject({ vanished: [], vanishedHeld: { links: [{ identity: 'E1' }, { identity: 'E2' }] } });
    expect(forced.code).toBe(1);
    const kept = await openEngine(p.config);
    const links = await kept.store.accounts.listByTarget('cli-short');
    await kept.close();
    expect(links.map((l) => l.identityId).sort()).toEqual(['E1', 'E2']);
    const removed = await run('--json', '--remove-vanished');
    expect(onlyReport(removed.stdout).vanished).toHaveLength(2);
    expect(removed.code).toBe(0);
  });

  it('--yes --force applies no orphan action a short read holds and says why; --remove-vanished lifts that hold', async () => {
    p = reconcileProject('cli-short-force', [{ username: 'old.one', employeeNumber: 'X99' }],
      [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }, { id: 'E2', givenName: 'Grace', familyName: 'Hopper' }]);
    p.write('disable');
    writeFileSync(p.config, readFileSync(p.config, 'utf8').replace('maxDeletes: 100%', 'maxDeletes: 10%'));
    const engine = await openEngine(p.config);
    await engine.readSource('hr', 'test');
    await engine.reconcile('cli-short-force', { actor: 'test' });
    await engine.sync({ actor: 'test' });
    await engine.close();
    const target = memoryTargets.get('cli-short-force')!;
    for (const key of ['ada.lovelace', 'grace.hopper']) expect(target.accounts.delete(key)).toBe(true);

    const forced = await run('--yes', '--force');
    expect(forced.stderr).toContain('no orphan action was applied in cli-short-force: --force does not lift this hold: 2 of 2 linked accounts in cli-short-force are missing from the read');
    expect(forced.stderr).toContain('(lifted by --remove-vanished)');
    expect(forced.code).toBe(1);
    expect(target.accounts.get('old.one')?.enabled).toBe(true);

    const removed = await run('--json', '--yes', '--remove-vanished');
    expect(onlyReport(removed.stdout).result).toMatchObject({ applied: 1 });
    expect(target.accounts.get('old.one')?.enabled).toBe(false);
  });

  it('a first pass that reads fewer than safety.minAccounts accounts and links nobody says creates stay held and exits 1; --force accepts it', async () => {
    p = reconcileProject('cli-empty', [], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    writeFileSync(p.config, readFileSync(p.config, 'utf8').replace('minAccounts: 0', 'minAccounts: 10'));
    await ingest();
    const held = await run('--json');
    expect(onlyReport(held.stdout).createsHeld).toContain('cli-empty: read 0 accounts from cli-empty, fewer than safety.minAccounts (10)');
    expect(held.stderr).toContain('run again with --force to accept an empty directory');
    expect(held.code).toBe(1);
    const forced = await run('--json', '--force');
    expect(onlyReport(forced.stdout).createsHeld).toBeUndefined();
    expect(forced.code).toBe(0);
    const engine = await openEngine(p.config);
    const plan = await engine.plan();
    await engine.close();
    expect(plan.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E1']);
  });

  it('prints a match rule no account carries as a warning (and in --json), and exits 0', async () => {
    const seed = Array.from({ length: 10 }, (_, i) => ({ username: `user${i}`, email: `user${i}@example.com` }));
    p = reconcileProject('cli-warn', seed, [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace', email: 'user3@example.com' }]);
    await ingest();
    const json = await run('--json');
    expect(onlyReport(json.stdout)).toMatchObject({
      warnings: [expect.stringContaining('the match rule employeeNumber = identity.employeeId matched nothing: none of the 10 accounts read carries employeeNumber')],
      matched: [{ accountId: 'user3', identity: 'E1', rule: 'email = identity.email' }],
    });
    expect(json.code).toBe(0);
    const text = await run();
    expect(text.stderr).toContain('warning: cli-warn: the match rule employeeNumber = identity.employeeId matched nothing');
  });
});
