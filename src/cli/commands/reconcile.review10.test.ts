import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { openEngine } from '../../engine/index.js';
import { memoKey } from '../../reconcile/memo.js';
import { reconcileProject, type TestProject } from '../../reconcile/test-project.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/** `roster reconcile` before anything read the HR sources (review10): a problem, said, exit 1, with or without --json or --force. */
describe('roster reconcile on a store with no identities', () => {
  let p: TestProject | undefined;
  const run = async (...args: string[]) => {
    const captured = capturedIo({ cwd: p!.dir });
    const code = await runCli(['node', 'roster', 'reconcile', '--config', p!.config, ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  afterEach(() => {
    p?.remove();
    memoryTargets.clear();
  });
  const advice = 'no identities yet: read 2 accounts, but the store has none to match them to';
  const next = 'Run `roster plan` or `roster sync` first, which reads the HR sources, then reconcile';

  it('exits 1 and says to read the sources first; nothing is linked, disabled or remembered', async () => {
    p = reconcileProject('fresh', [{ username: 'alovelace', employeeNumber: 'E1' }, { username: 'old.one' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    p.write('disable');
    const text = await run('--target', 'fresh', '--yes', '--force');
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`fresh: ${advice}`);
    expect(text.stderr).toContain(next);
    expect(text.stdout).toContain('fresh: 2 accounts read; 0 already linked, 0 newly linked, 0 orphans');
    const json = await run('--target', 'fresh', '--json', '--yes');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.createsHeld).toContain(advice);
    expect(report.createsHeld).toContain(next);
    expect(report.plan).toMatchObject({ changes: [], held: true, holds: [{ code: 'reconcile.no_identities' }] });
    expect([...memoryTargets.get('fresh')!.accounts.values()].map((a) => a.enabled)).toEqual([true, true]);
    const engine = await openEngine(p.config);
    try {
      expect(await engine.store.state.get(memoKey('fresh'))).toBeUndefined();
      expect(await engine.store.accounts.listByTarget('fresh')).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
