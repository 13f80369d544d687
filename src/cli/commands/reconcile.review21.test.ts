import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { openEngine } from '../../engine/index.js';
import { reconcileProject, type HrPerson, type SeedAccount, type TestProject } from '../../reconcile/test-project.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * review21: `roster reconcile`'s exit codes follow the README (2: a change
 * refused because --yes was not given, with or without --json, and ahead of
 * the 1 a dispute gives), and its orphan table says which orphans are
 * already disabled.
 */
describe('review21: roster reconcile exit codes and orphan states', () => {
  let p: (TestProject & { readonly target: string }) | undefined;
  afterEach(() => {
    p?.remove();
    memoryTargets.clear();
  });

  const run = async (...args: string[]) => {
    const captured = capturedIo({ cwd: p!.dir });
    const code = await runCli(['node', 'roster', 'reconcile', '--config', p!.config, '--target', p!.target, ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  const project = async (target: string, seed: readonly SeedAccount[], people: readonly HrPerson[]) => {
    const made = reconcileProject(target, seed, people);
    made.write('disable');
    const engine = await openEngine(made.config);
    await engine.readSource('hr', 'test');
    await engine.close();
    p = Object.assign(made, { target });
  };
  const enabled = (account: string) => memoryTargets.get(p!.target)?.accounts.get(account)?.enabled;

  it('--json without --yes applies no orphan action, says so and exits 2 as the text form does; --yes applies it and exits 0', async () => {
    await project('r21-json', [{ username: 'old.one' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    const json = await run('--json');
    const report = JSON.parse(json.stdout);
    expect(report.plan.changes).toMatchObject([{ action: 'disable', before: { accountId: 'old.one' } }]);
    expect(report.result).toBeUndefined();
    expect(json.stderr).toContain('refusing to apply 1 orphan change in r21-json without confirmation: --json asks nothing; the report lists them (plan); pass --yes');
    expect(json.code).toBe(2);
    const text = await run();
    expect(text.stderr).toContain('pass --yes');
    expect(text.code).toBe(2);
    expect(enabled('old.one')).toBe(true);
    const applied = await run('--json', '--yes');
    expect(JSON.parse(applied.stdout).result).toMatchObject({ applied: 1, failed: 0 });
    expect(applied.code).toBe(0);
    expect(enabled('old.one')).toBe(false);
  });

  it('an open dispute with orphan changes refused for want of --yes exits 2, not 1, text and --json; with --yes the dispute exits 1', async () => {
    await project('r21-both', [{ username: 'kjohnson', employeeNumber: 'E6' }, { username: 'katherine.j', employeeNumber: 'E6' }, { username: 'old.one' }], [
      { id: 'E6', givenName: 'Katherine', familyName: 'Johnson' },
    ]);
    const text = await run();
    expect(text.stdout).toContain('2 disputed');
    expect(text.stderr).toContain('pass --yes');
    expect(text.code).toBe(2);
    const json = await run('--json');
    expect(JSON.parse(json.stdout).disputed).toHaveLength(2);
    expect(json.code).toBe(2);
    expect(enabled('old.one')).toBe(true);
    const yes = await run('--yes');
    expect(yes.stdout).toContain('1 applied');
    expect(yes.code).toBe(1);
    expect(enabled('old.one')).toBe(false);
  });

  it('the orphan table says which orphans are already disabled, and why the plan disables fewer than it lists', async () => {
    await project('r21-state', [{ username: 'old.on' }, { username: 'old.off', enabled: false }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    const text = await run();
    const rows = text.stdout.split('\n').map((line) => line.trim().split(/\s{2,}/));
    expect(rows).toContainEqual(['ORPHAN ACCOUNT', 'KEY', 'STATE']);
    expect(rows).toContainEqual(['old.on', 'old.on', 'enabled']);
    expect(rows).toContainEqual(['old.off', 'old.off', 'disabled']);
    expect(text.stdout).toContain('1 orphan already disabled: orphans: disable plans nothing for it');
    expect(text.stdout).toContain('r21-state: 1 disable');
    const report = JSON.parse((await run('--json')).stdout);
    expect(report.orphans).toHaveLength(2);
    expect(report.orphans).toEqual(expect.arrayContaining([{ accountId: 'old.off', key: 'old.off', disabled: true }, { accountId: 'old.on', key: 'old.on' }]));
  });
});
