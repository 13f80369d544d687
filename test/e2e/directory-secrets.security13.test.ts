import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';
import { capturedIo } from '../../src/cli/testing.js';
import { runCli } from '../../src/cli/main.js';
import { ldapExampleYaml } from '../support/ldap-example.js';

/**
 * Security review 13: the examples/ldap project, with a secret attribute (an
 * initial userPassword a mapping writes, `secrets: [password]`) and the bind
 * password from ${env:}, through every command that prints or stores
 * something: plan --json and --out, apply, status --check, reconcile --json,
 * explain (--json), audit export; and with a wrong bind password, every
 * command's error output. Debug logging is on (stderr): no log line may
 * carry either secret.
 */
const WRONG = 'Wr0ng-Bind-Pw-9qX';
const initialOf = (id: string) => `Init-${id}-Zq7x`;

describe('directory provisioning keeps secrets out of every output (security review 13)', () => {
  let slapd: RunningSlapd;
  let dir: string;
  let reader: Client;
  const outputs: string[] = [];
  let bindPassword = '';
  const run = async (...args: string[]) => {
    // The engine reads ${env:} from process.env, validate from the io's env: both get it.
    process.env.LDAP_PASSWORD = bindPassword;
    const captured = capturedIo({ cwd: dir, env: { NO_COLOR: '1', ROSTER_LOG_LEVEL: 'debug', LDAP_PASSWORD: bindPassword } });
    const code = await runCli(['node', 'roster', ...args, '--config', join(dir, 'roster.yaml')], captured.io);
    const out = { code, stdout: captured.stdout(), stderr: captured.stderr() };
    outputs.push(`${args.join(' ')}\n${out.stdout}\n${out.stderr}`);
    return out;
  };

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-sec13-'));
    const config = ldapExampleYaml(slapd.url, { password: '"Init-" + identity.employeeId + "-Zq7x"' });
    expect(config).toContain('secrets: [password]');
    expect(config).toContain('password: userPassword');
    writeFileSync(join(dir, 'roster.yaml'), config);
    writeFileSync(join(dir, 'employees.csv'), readFileSync(join(import.meta.dirname, '../../examples/ldap/hr/employees.csv')));
    bindPassword = slapd.password;
  });
  afterAll(async () => {
    delete process.env.LDAP_PASSWORD;
    await tearDown({ client: reader, server: slapd, dirs: [dir] });
  });

  it('with the right bind password: the initial passwords are written and shown nowhere', async () => {
    for (const args of [['validate'], ['reconcile', '--target', 'corp-ldap', '--force', '--json'], ['plan', '--json'], ['plan', '--out', join(dir, 'plan.json')], ['apply', '--yes']]) {
      const out = await run(...args);
      expect(out.code, `${args.join(' ')}: ${out.stdout}${out.stderr}`).toBe(0);
    }
    // Written: the directory holds the value (slapd stores it as given, without a hash overlay).
    const { searchEntries } = await reader.search(`ou=people,${slapd.suffix}`, { scope: 'sub', filter: '(employeeNumber=E1001)', attributes: ['userPassword'] });
    expect(String(searchEntries[0]?.userPassword)).toBe(initialOf('E1001'));
    for (const args of [['status', '--check'], ['status', '--check', '--json'], ['explain', 'E1001'], ['explain', 'E1001', '--json'],
      ['reconcile', '--target', 'corp-ldap', '--json'], ['audit', 'export'], ['audit', 'verify', '--json']]) {
      const out = await run(...args);
      expect(out.code, `${args.join(' ')}: ${out.stdout}${out.stderr}`).toBe(0);
    }
    const everything = [...outputs, readFileSync(join(dir, 'plan.json'), 'utf8')].join('\n');
    expect(everything).toContain('secret:v1:');
    for (const id of ['E1001', 'E1002', 'E1010']) {
      const initial = initialOf(id);
      expect(everything).not.toContain(initial);
      expect(everything).not.toContain(Buffer.from(initial).toString('base64'));
    }
  });

  it('with a wrong bind password (from ${env:}): every command fails without quoting it', async () => {
    bindPassword = WRONG;
    outputs.length = 0;
    const results = [];
    for (const args of [['status', '--check'], ['status', '--check', '--json'], ['plan', '--json'], ['apply', '--yes'], ['reconcile', '--target', 'corp-ldap', '--json'], ['validate']]) {
      results.push({ args, ...await run(...args) });
    }
    const check = results[0]!;
    expect(check.stdout + check.stderr).toMatch(/bind DN or password is wrong|LDAP 49/);
    const everything = outputs.join('\n');
    expect(everything).not.toContain(WRONG);
    expect(everything).not.toContain(Buffer.from(WRONG).toString('base64'));
    const reconcile = results[4]!;
    expect(reconcile.code).not.toBe(0);
  });
});
