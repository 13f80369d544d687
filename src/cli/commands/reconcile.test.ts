import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { openEngine } from '../../engine/index.js';
import { reconcileProject, type TestProject } from '../../reconcile/test-project.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/** `roster reconcile` in-process over a real engine and a seeded memory target. */
describe('roster reconcile', () => {
  let p: TestProject | undefined;
  const run = async (...args: string[]) => {
    const captured = capturedIo({ cwd: p!.dir });
    const code = await runCli(['node', 'roster', 'reconcile', '--config', p!.config, ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
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

  it('--link settles a dispute: the account is linked, the next report counts it linked and the plan creates nothing', async () => {
    p = reconcileProject('cli-link', [{ username: 'kjohnson', employeeNumber: 'E6' }, { username: 'katherine.j', employeeNumber: 'E6' }], [
      { id: 'E6', givenName: 'Katherine', familyName: 'Johnson' },
    ]);
    await ingest();
    const disputed = await run('--json');
    expect(disputed.code).toBe(1);
    expect(JSON.parse(disputed.stdout).disputed).toHaveLength(2);
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
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('--link takes three values');
    const unknown = await run('--link', 'cli-bad', 'E1', 'ada');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('ada is not an unlinked account of the last reconcile of cli-bad');
  });
});
