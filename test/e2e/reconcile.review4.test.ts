import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';
import { memoryTargets } from '../../src/connectors/memory/index.js';
import { openEngine } from '../../src/engine/index.js';
import { reconcileProject, type TestProject } from '../../src/reconcile/test-project.js';

/** `roster reconcile --yes` whose orphan change fails: the same outcome must exit the same way with and without --json. */
describe('roster reconcile --yes exit codes when an orphan action fails (review4)', () => {
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

  for (const json of [false, true]) {
    it(`exits 1 when the orphan disable it applied failed (${json ? 'with' : 'without'} --json)`, async () => {
      p = reconcileProject('fail', [{ username: 'old.one' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
      p.write('disable');
      const engine = await openEngine(p.config);
      await engine.readSource('hr', 'test');
      await engine.close();
      memoryTargets.get('fail')!.rejectNext(10, { operations: ['setEnabled'] });
      const out = await run('--target', 'fail', '--yes', ...(json ? ['--json'] : []));
      if (json) expect(JSON.parse(out.stdout).result).toMatchObject({ applied: 0, failed: 1 });
      else expect(out.stdout).toContain('1 failed');
      expect(memoryTargets.get('fail')!.accounts.get('old.one')?.enabled).toBe(true);
      expect(out.code).toBe(1);
    });
  }
});
