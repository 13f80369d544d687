import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useMemoryTargetProject } from '../../test/support/cli-project.js';
import { runCli } from './main.js';
import { capturedIo } from './testing.js';

/** Paper cuts a newcomer met walking the docs: each command says what it did, and a mistake is a usage error. */
describe('roster CLI for a newcomer', () => {
  const project = useMemoryTargetProject('roster-newcomer', 'newcomer-app', [
    'employeeId,givenName,startDate',
    'E1,Ada,2024-01-02',
    'E2,Bob,not-a-date',
    'E3,Cy,2024-03-04',
  ].join('\n') + '\n');

  it('plan says which HR rows it skipped, as sync does, before the plan', async () => {
    const { code, stdout } = await project.run('plan');
    expect(code).toBe(0);
    expect(stdout).toContain('Source hr: 2 received');
    expect(stdout).toContain('  line 3 (E2): column "startDate" is not an ISO date');
    expect(stdout.indexOf('line 3 (E2)')).toBeLessThan(stdout.indexOf('Plan '));
    expect(stdout).not.toMatch(/create\s+newcomer-app\s+E2/);
  });

  it('plan --json lists the skipped rows in its diagnostics (and keeps its keys)', async () => {
    const { code, stdout } = await project.run('plan', '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(Object.keys(plan).sort()).toEqual(['basis', 'changes', 'diagnostics', 'held', 'holds', 'id', 'summary']);
    expect(plan.diagnostics).toContainEqual({
      severity: 'warning', code: 'source.row_skipped', source: 'hr', line: 3, key: 'E2',
      message: expect.stringMatching(/^line 3 \(E2\): column "startDate" is not an ISO date/),
    });
  });

  it('apply says which HR rows it skipped too, before the plan, and --json lists them', async () => {
    const { code, stdout } = await project.run('apply', '--yes');
    expect(code).toBe(0);
    expect(stdout).toContain('  line 3 (E2): column "startDate" is not an ISO date');
    expect(stdout.indexOf('line 3 (E2)')).toBeLessThan(stdout.indexOf('Plan '));
    const again = await project.run('apply', '--yes', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).plan.diagnostics).toContainEqual(expect.objectContaining({ code: 'source.row_skipped', line: 3, key: 'E2' }));
  });

  it('plan --no-read-sources reads no source, so reports no rows', async () => {
    const { code, stdout } = await project.run('plan', '--no-read-sources');
    expect(code).toBe(0);
    expect(stdout).not.toContain('Source hr');
  });

  it('status --check says what it checked', async () => {
    const { code, stdout } = await project.run('status', '--check');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Connections checked: newcomer-app ok \(\d+ ms\)$/m);
    expect((await project.run('status')).stdout).not.toContain('Connections');
  });

  it('token create without --scope is a usage error (exit 2) naming the option', async () => {
    const { code, stderr } = await project.run('token', 'create', 'workday');
    expect(code).toBe(2);
    expect(stderr).toContain('--scope');
    expect((await project.run('token', 'list', '--json')).stdout).toBe('[]\n');
  });

  it('token create --scope still takes repeated scopes', async () => {
    const { code, stdout } = await project.run('token', 'create', 'ops', '--scope', 'api:read', '--scope', 'metrics', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ name: 'ops', scopes: ['api:read', 'metrics'] });
  });
});

describe('roster init', () => {
  it('prints next steps that run from where the user is, as the README does', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'roster-init-'));
    try {
      const captured = capturedIo({ cwd });
      expect(await runCli(['node', 'roster', 'init', 'mydir'], captured.io)).toBe(0);
      expect(captured.stdout()).toContain('Next:\n  npx roster validate --config mydir/roster.yaml\n  npx roster plan --config mydir/roster.yaml\n');
      const spaced = capturedIo({ cwd });
      expect(await runCli(['node', 'roster', 'init', 'my project'], spaced.io)).toBe(0);
      expect(spaced.stdout()).toContain("  npx roster validate --config 'my project/roster.yaml'\n");
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
