import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';

/** The `roster` executable as a user meets it: a child process, its exit code, stdout and stderr. */
const BIN = resolve(import.meta.dirname, '../../bin/roster.mjs');

function roster(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('roster CLI as a child process', () => {
  let dir: string;
  const run = (...args: string[]) => roster(dir, args);
  const config = ['--config', 'acme/roster.yaml'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-cli-review8-'));
    expect((await run('init', 'acme')).code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plan --target with a target the configuration lacks is an error, not an empty plan', async () => {
    const { code, stdout, stderr } = await run('plan', ...config, '--target', 'ap', '--json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain("no target 'ap' in the configuration");
  });

  it('plan --identity with an unknown identity is an error, not an empty plan', async () => {
    const { code, stdout, stderr } = await run('plan', ...config, '--identity', 'nobody', '--json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('no identity with id nobody');
  });

  it('apply --plan refuses a saved plan edited after roster plan made it, and one this store never made', async () => {
    expect((await run('plan', ...config, '--out', 'plan.json')).code).toBe(0);
    const text = await readFile(join(dir, 'plan.json'), 'utf8');
    const plan = JSON.parse(text) as { id: string; changes: { after: { entitlement?: string } | null }[] };
    const grant = plan.changes.find((c) => c.after?.entitlement !== undefined)!;
    grant.after!.entitlement = 'admins';
    await writeFile(join(dir, 'edited.json'), JSON.stringify(plan), 'utf8');
    const edited = await run('apply', ...config, '--plan', 'edited.json', '--yes');
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain(`edited.json is not plan ${plan.id} as roster plan made it`);

    await writeFile(join(dir, 'foreign.json'), JSON.stringify({ id: 'x', basis: 1, changes: [] }), 'utf8');
    const foreign = await run('apply', ...config, '--plan', 'foreign.json', '--yes');
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('this store has no plan x');
    expect(foreign.stderr).not.toContain('not iterable');

    const store = await openStore(`sqlite:${join(dir, 'acme/data/roster.db')}`);
    try {
      expect(await store.audit.list({ kind: 'plan.applied' })).toEqual([]);
    } finally {
      await store.close();
    }
    const applied = await run('apply', ...config, '--plan', 'plan.json', '--yes');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`Plan ${plan.id}: ${plan.changes.length} applied, 0 failed`);
  });

  it('a configuration error lists each problem once', async () => {
    const yaml = await readFile(join(dir, 'acme/roster.yaml'), 'utf8');
    await writeFile(join(dir, 'acme/bad.yaml'), yaml.replace(/^(\s*)key:/m, '$1kee:'), 'utf8');
    const { code, stdout, stderr } = await run('audit', 'verify', '--config', 'acme/bad.yaml', '--json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.match(/unknown key 'kee'/g)).toHaveLength(1);
    expect(stderr).toMatch(/bad\.yaml: 2 problems \(config\.invalid\)\n$/);
  });

  it('audit export into a pipe closed early (| head) ends quietly with exit 0', async () => {
    const store = await openStore(`sqlite:${join(dir, 'acme/data/roster.db')}`);
    try {
      await store.audit.append(Array.from({ length: 20_000 }, (_, n) => ({ kind: 'test.fill', actor: 'test', data: { n, pad: 'x'.repeat(200) } })));
    } finally {
      await store.close();
    }
    const child = spawn(process.execPath, [BIN, 'audit', 'export', ...config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const first = await new Promise<string>((done) => child.stdout.once('data', (chunk: Buffer) => done(chunk.toString('utf8'))));
    child.stdout.destroy();
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({ seq: 1 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
