import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'ldapts';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import { freePort } from '../support/slapd.js';
import { inetOrgPerson } from './directory-source-fixtures.js';

/**
 * review22: scripts/dev-slapd.ts (the local OpenLDAP docs/directories.md has
 * newcomers start) loaded no syncprov, so an `ldap` source with `changes:
 * syncrepl` could not be tried locally. `--syncprov` loads it; on a free
 * port (never 3890, which someone may be using), a syncrepl source passes
 * `status --check`, reads the people, and sees a deletion at its next
 * incremental pass. Only the script this test started is stopped, by its pid.
 */

const SCRIPT = fileURLToPath(new URL('../../scripts/dev-slapd.ts', import.meta.url));
let script: ChildProcess | undefined;
let dir = '';

afterEach(async () => {
  if (script !== undefined && script.exitCode === null && script.signalCode === null) {
    const exited = new Promise((resolve) => script?.once('exit', resolve));
    script.kill('SIGINT');
    await exited;
  }
  script = undefined;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function start(...args: string[]): Promise<{ port: number; stdout: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  script = child;
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const until = Date.now() + 20_000;
  while (!/Ctrl-C stops it/.test(stdout) && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 25));
  if (!stdout.includes('Ctrl-C stops it')) throw new Error(`dev-slapd did not start: ${stdout}${stderr}`);
  return { port, stdout: () => stdout };
}

function project(port: number): string {
  dir = mkdtempSync(join(tmpdir(), 'roster-r22-devslapd-sync-'));
  writeFileSync(join(dir, 'roster.yaml'), `store: sqlite:./roster.db
sources:
  - id: corp
    type: ldap
    key: employeeNumber
    changes: syncrepl
    connection:
      url: ldap://127.0.0.1:${port}
      bindDN: cn=admin,dc=example,dc=com
      password: \${env:LDAP_PASSWORD}
      base: ou=people,dc=example,dc=com
    attributes: { givenName: givenName, familyName: sn }
targets: []
`);
  return join(dir, 'roster.yaml');
}

async function statusCheck(file: string): Promise<{ code: number; stdout: string }> {
  const captured = capturedIo({ cwd: dir, openEngine: async (path, options) => openEngine(path, { ...options, env: { LDAP_PASSWORD: 'secret' } }) });
  const code = await runCli(['node', 'roster', 'status', '--check', '--json', '--config', file], captured.io);
  return { code, stdout: captured.stdout() };
}

const checkOf = (stdout: string) => (JSON.parse(stdout) as { sources: { check?: { ok: boolean; message?: string } }[] }).sources[0]?.check;

describe('review22: scripts/dev-slapd.ts --syncprov', () => {
  it('says syncprov is loaded, and a changes: syncrepl source passes its check and sees a deletion at its next pass', async () => {
    const { port, stdout } = await start('--syncprov');
    expect(stdout()).toContain(`ldap://127.0.0.1:${port}`);
    expect(stdout()).toMatch(/syncprov loaded \(session log 100; entryCSN, entryUUID indexed\)/);
    const admin = new Client({ url: `ldap://127.0.0.1:${port}` });
    await admin.bind('cn=admin,dc=example,dc=com', 'secret');
    try {
      for (const n of [1, 2]) await admin.add(`uid=p${n},ou=people,dc=example,dc=com`, inetOrgPerson(`p${n}`, `E${n}`));
      const file = project(port);
      const checked = await statusCheck(file);
      expect(checkOf(checked.stdout)).toMatchObject({ ok: true });
      expect(checked.code).toBe(0);
      const engine = await openEngine(file, { env: { LDAP_PASSWORD: 'secret' } }) as RosterEngine;
      try {
        expect(await engine.readSource('corp', 'test')).toMatchObject({ received: 2, created: 2, mode: 'full' });
        await admin.del('uid=p2,ou=people,dc=example,dc=com');
        // Only syncrepl sees a deletion in an incremental pass (changes: timestamp waits for a full one).
        expect(await engine.readSource('corp', 'test', { mode: 'incremental' })).toMatchObject({ mode: 'incremental', missing: 1 });
      } finally {
        await engine.close();
      }
    } finally {
      await admin.unbind();
    }
  }, 60_000);

  it('without it: says syncprov is not loaded, and the same source fails status --check with the hint', async () => {
    const { port, stdout } = await start();
    expect(stdout()).toContain('syncprov not loaded: an ldap source with changes: syncrepl fails here (start with --syncprov)');
    const checked = await statusCheck(project(port));
    expect(checked.code).toBe(1);
    expect(checkOf(checked.stdout)?.message).toMatch(/load the syncprov overlay[\s\S]*--syncprov/);
  }, 60_000);
});
