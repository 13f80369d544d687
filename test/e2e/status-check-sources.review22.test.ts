import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';
import { openEngine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';

/**
 * review22: `roster status --check` checks the sources too. A project that
 * only reads a directory (docs/directory-sources.md's walk-through,
 * `targets: []`) was told "no targets configured" and never learnt that its
 * source's password, base or syncprov was wrong; `status` printed an empty
 * TARGET table header. Against private slapds: one without syncprov, one with.
 */

const WRONG = 'not-the-password-r22';
let plain: RunningSlapd;
let withSync: RunningSlapd;
let dir = '';

beforeAll(async () => {
  [plain, withSync] = await Promise.all([startSlapd({ randomPort: true }), startSlapd({ randomPort: true, syncprov: true })]);
  dir = mkdtempSync(join(tmpdir(), 'roster-r22-status-sources-'));
  writeFileSync(join(dir, 'hr.csv'), 'employeeId,givenName\nE1,Ann\n');
}, 30_000);
afterAll(async () => {
  await Promise.all([plain?.stop(), withSync?.stop()]);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

interface Ldap {
  readonly id: string;
  readonly slapd: RunningSlapd;
  readonly password?: string;
  readonly base?: string;
  readonly syncrepl?: boolean;
}

function ldapSource(s: Ldap): string {
  return `
  - id: ${s.id}
    type: ldap
    key: employeeNumber
${s.syncrepl === true ? '    changes: syncrepl\n' : ''}    connection:
      url: ${s.slapd.url}
      bindDN: ${s.slapd.bindDN}
      password: \${env:${s.password === undefined ? 'LDAP_PASSWORD' : 'WRONG_PASSWORD'}}
      base: ${s.base ?? `ou=people,${s.slapd.suffix}`}`;
}

/** `roster status ...` on a project of `sources` (YAML list items) and no targets. */
async function status(name: string, sources: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `store: sqlite:./${name}.db\nsources:${sources}\ntargets: []\n`);
  const captured = capturedIo({
    cwd: dir,
    openEngine: async (configPath, options) => openEngine(configPath, { ...options, env: { LDAP_PASSWORD: plain.password, WRONG_PASSWORD: WRONG } }),
  });
  const code = await runCli(['node', 'roster', 'status', ...args, '--config', file], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

type Checked = { sources: { id: string; type: string; check?: { ok: boolean; code?: string; message?: string; nothing?: string; ms?: number } }[] };
const checkOf = (stdout: string, id: string) => (JSON.parse(stdout) as Checked).sources.find((s) => s.id === id)?.check;

describe('review22: roster status --check checks every source', () => {
  it('passes a readable ldap source, a syncrepl source on a slapd with syncprov, a csv file; says a push source has nothing to connect to', async () => {
    const sources = ldapSource({ id: 'corp', slapd: plain }) + ldapSource({ id: 'synced', slapd: withSync, syncrepl: true })
      + '\n  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }\n  - { id: pushed, type: push, key: employeeId }';
    const text = await status('good', sources, '--check');
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Sources checked: corp ok \(\d+ ms\), synced ok \(\d+ ms\), hr ok \(\d+ ms\), pushed nothing to connect to \(push\)$/m);
    const json = await status('good', sources, '--check', '--json');
    expect(json.code).toBe(0);
    expect(checkOf(json.stdout, 'synced')).toEqual({ ok: true, ms: expect.any(Number) });
    expect(checkOf(json.stdout, 'pushed')).toEqual({ ok: true, nothing: expect.stringContaining('nothing to connect to') });
  });

  it('no targets: no empty TARGET header, "No targets configured"; without --check nothing is checked', async () => {
    const run = await status('plain', ldapSource({ id: 'corp', slapd: plain }));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('TARGET');
    expect(run.stdout).toMatch(/^No targets configured$/m);
    expect(run.stdout).not.toContain('checked');
    const json = await status('plain', ldapSource({ id: 'corp', slapd: plain }), '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ targets: [], sources: [{ id: 'corp', type: 'ldap' }] });
    expect(checkOf(json.stdout, 'corp')).toBeUndefined();
  });

  it('a wrong password fails, naming the source and the bind DN and what to fix, never the password; exit 1', async () => {
    const sources = ldapSource({ id: 'corp', slapd: plain, password: WRONG });
    const text = await status('wrong-password', sources, '--check');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^Sources checked: corp failed \(source\.unavailable, \d+ ms\)$/m);
    expect(text.stdout).toContain(`  corp: connect to ${plain.url} and bind as ${plain.bindDN} on source corp: the bind DN or password is wrong (LDAP 49`);
    expect(text.stdout).toContain('check connection.bindDN and connection.password');
    const json = await status('wrong-password', sources, '--check', '--json');
    expect(json.code).toBe(1);
    expect(checkOf(json.stdout, 'corp')).toMatchObject({ ok: false, code: 'source.unavailable', message: expect.stringContaining(`bind as ${plain.bindDN}`) });
    expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain(WRONG);
  });

  it('a base that does not exist fails, naming it and connection.base', async () => {
    const base = `ou=nobody,${plain.suffix}`;
    const json = await status('wrong-base', ldapSource({ id: 'corp', slapd: plain, base }), '--check', '--json');
    expect(json.code).toBe(1);
    const check = checkOf(json.stdout, 'corp');
    expect(check).toMatchObject({ ok: false, code: 'source.unavailable' });
    expect(check?.message).toContain(`read the base ${base} on source corp: no such entry (LDAP 32`);
    expect(check?.message).toContain('check connection.base');
  });

  it('changes: syncrepl against a slapd without syncprov fails with the syncprov hint', async () => {
    const json = await status('no-syncprov', ldapSource({ id: 'corp', slapd: plain, syncrepl: true }), '--check', '--json');
    expect(json.code).toBe(1);
    const check = checkOf(json.stdout, 'corp');
    expect(check).toMatchObject({ ok: false, code: 'source.unavailable' });
    expect(check?.message).toContain('source corp');
    expect(check?.message).toContain('load the syncprov overlay on this database, or use `changes: timestamp`');
  });

  it('a csv file that is not there fails, naming the file and path:', async () => {
    const text = await status('missing-csv', '\n  - { id: hr, type: csv, path: ./gone.csv, key: employeeId }', '--check');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^Sources checked: hr failed \(source\.unavailable, \d+ ms\)$/m);
    expect(text.stdout).toContain(`  hr: source hr: cannot read ${join(dir, 'gone.csv')} (ENOENT): it does not exist: check path: in roster.yaml`);
  });

  it('a directory that takes the connection and never answers times out at --check-timeout, its check abandoned', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `ldap://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const sources = ldapSource({ id: 'corp', slapd: plain }).replace(plain.url, url);
      const json = await status('silent', sources, '--check', '--check-timeout', '200', '--json');
      expect(json.code).toBe(1);
      expect(checkOf(json.stdout, 'corp')).toMatchObject({
        ok: false, timedOut: true, code: 'source.unavailable', message: expect.stringContaining(`no answer within 200 ms (the check was abandoned; --check-timeout waits longer); check connection.url (${url})`),
      });
    } finally {
      silent.close();
    }
  });
});
