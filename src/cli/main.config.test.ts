import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import { capturedIo } from './testing.js';

/** init, validate and plan --json against the real configuration loader and engine, on a temp project. */
describe('roster CLI on a real project', () => {
  let dir: string;
  const run = async (args: string[]) => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-cli-real-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('init writes a project that validates; init again refuses to overwrite', async () => {
    const init = await run(['init', 'acme']);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('roster.yaml');
    const validate = await run(['validate', '--config', 'acme/roster.yaml']);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/^valid: /);
    const again = await run(['init', 'acme']);
    expect(again.code).toBe(1);
  });

  it('validate names each problem as file:line:column: path: message and exits 1', async () => {
    await run(['init', 'acme']);
    const file = join(dir, 'acme/roster.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/^(\s*)key:/m, '$1kee:'), 'utf8');
    const { code, stdout } = await run(['validate', '--config', file]);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: sources\\[0\\]\\S*: .+$`, 'm'));
  });

  it('validate of a missing file exits 1', async () => {
    const { code, stderr } = await run(['validate', '--config', 'nope.yaml']);
    expect(code).toBe(1);
    expect(stderr).toContain('nope.yaml');
  });

  it('plan --no-read-sources on a fresh project plans nothing and says why', async () => {
    await run(['init', 'acme']);
    const { code, stdout } = await run(['plan', '--no-read-sources', '--config', 'acme/roster.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('no changes');
    expect(stdout).toContain('--no-read-sources');
  });

  it('plan --json on the new project prints one plan object that creates accounts', async () => {
    await run(['init', 'acme']);
    const { code, stdout, stderr } = await run(['plan', '--json', '--config', 'acme/roster.yaml']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(Object.keys(plan).sort()).toEqual(['basis', 'changes', 'diagnostics', 'held', 'holds', 'id', 'summary']);
    expect(plan.summary.create).toBeGreaterThan(0);
    expect(plan.changes.every((c: { action: string; target: string }) => typeof c.target === 'string')).toBe(true);
  });
});
