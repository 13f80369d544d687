import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';
import { ldapExampleYaml } from '../support/ldap-example.js';
import { bindsAt } from '../support/ldap-login.js';

const MAPPED = 'Init-A1-Zq7x';
const HAND_SET = 'Hand-Set-By-Admin-1';

/**
 * An entry made by hand, with a password, that Roster adopted through
 * `reconcile` (its link holds nothing for the secret attribute): while the
 * person is simply active, it keeps the password it has; when they leave
 * and are rehired, the rehire's enable writes the mapped password (the old
 * one never works again), and the link then holds its fingerprint. The
 * rehire is planned and applied through the CLI, with the plan saved and
 * applied later (`plan --out`, `apply --plan`): the sealed value survives
 * the file, and no output or audit entry shows it.
 */
describe('ldap target: an adopted account gets the mapped password at its rehire', () => {
  let slapd: RunningSlapd;
  let admin: Client;
  let dir: string;
  const clock = { now: new Date('2026-12-01T09:00:00Z') };
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, LDAP_PASSWORD: slapd.password });
  const open = (): Promise<Engine> => openEngine(join(dir, 'roster.yaml'), { now: () => clock.now, env: env() });

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, acl: ['to attrs=userPassword by anonymous auth by * none'] });
    admin = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-rehire-adopted-'));
    const yaml = ldapExampleYaml(slapd.url, { password: '"Init-" + identity.employeeId + "-Zq7x"' });
    expect(yaml).toContain('secrets: [password]');
    writeFileSync(join(dir, 'roster.yaml'), yaml);
  });
  afterAll(() => tearDown({ client: admin, server: slapd, dirs: [dir] }));

  const ada = person({ employeeId: 'A1', givenName: 'Ada', familyName: 'Hand', department: 'Operations' });
  const dn = () => `uid=ada.hand,ou=Operations,ou=people,${slapd.suffix}`;

  const binds = (dn: string, password: string): Promise<boolean> => bindsAt(slapd.url, dn, password);

  async function sync(engine: Engine, rows: readonly (typeof ada)[]): Promise<void> {
    writeFileSync(join(dir, 'employees.csv'), csv(rows));
    const result = await engine.sync({ actor: 'test' });
    expect(result.plan.held).toBe(false);
    expect(result.result?.errors ?? []).toEqual([]);
  }

  /** `roster <args>` in this process, on the test's clock. */
  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const captured = capturedIo({
      cwd: dir, env: { NO_COLOR: '1' },
      openEngine: (configPath, options) => openEngine(configPath, { ...options, now: () => clock.now, env: env() }),
    });
    const code = await runCli(['node', 'roster', ...args, '--config', join(dir, 'roster.yaml')], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  }

  it('adopted and active keeps its password; rehired, the old one is refused and the mapped one binds', async () => {
    await admin.add(`ou=Operations,ou=people,${slapd.suffix}`, [
      new Attribute({ type: 'objectClass', values: ['organizationalUnit'] }), new Attribute({ type: 'ou', values: ['Operations'] }),
    ]);
    await admin.add(dn(), Object.entries({
      objectClass: 'inetOrgPerson', uid: 'ada.hand', cn: 'Ada Hand', sn: 'Hand', employeeNumber: 'A1', userPassword: HAND_SET,
    }).map(([type, value]) => new Attribute({ type, values: [value] })));
    writeFileSync(join(dir, 'employees.csv'), csv([ada]));

    let engine = await open();
    try {
      await engine.readSource('hr', 'test');
      await engine.reconcile('corp-ldap', { actor: 'test', force: true });
      const adopted = (await engine.store.accounts.listByIdentity('A1')).find((l) => l.target === 'corp-ldap');
      expect(adopted).toBeDefined();
      expect(Object.hasOwn(adopted!.attributes, 'password')).toBe(false);

      // Simply active: the adopted account keeps the password it has.
      await sync(engine, [ada]);
      expect(await binds(dn(), HAND_SET)).toBe(true);
      expect(await binds(dn(), MAPPED)).toBe(false);

      clock.now = new Date('2026-12-21T09:00:00Z');
      await sync(engine, [{ ...ada, endDate: '2026-12-20', status: 'terminated' }]);
      const { searchEntries } = await admin.search(slapd.suffix, { scope: 'sub', filter: '(uid=ada.hand)', attributes: ['1.1'] });
      expect(searchEntries.map((e) => e.dn)).toEqual([`uid=ada.hand,ou=disabled,${slapd.suffix}`]);
    } finally {
      await engine.close();
    }

    // Rehired: planned, saved, and applied later through the CLI.
    clock.now = new Date('2027-01-05T09:00:00Z');
    writeFileSync(join(dir, 'employees.csv'), csv([{ ...ada, startDate: '2027-01-05', endDate: '', status: 'active' }]));
    const text = await cli('plan');
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toMatch(/enable/);
    const json = await cli('plan', '--json');
    expect(json.code, json.stdout + json.stderr).toBe(0);
    const enable = (JSON.parse(json.stdout) as { changes: { action: string; after: { attributes?: Record<string, unknown> } }[] }).changes.find((c) => c.action === 'enable');
    expect(String(enable?.after.attributes?.password)).toMatch(/^secret:/);
    const saved = await cli('plan', '--out', join(dir, 'rehire.plan.json'));
    expect(saved.code, saved.stdout + saved.stderr).toBe(0);
    const file = readFileSync(join(dir, 'rehire.plan.json'), 'utf8');
    const applied = await cli('apply', '--plan', join(dir, 'rehire.plan.json'), '--yes');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    for (const shown of [text.stdout, text.stderr, json.stdout, saved.stdout, saved.stderr, file, applied.stdout, applied.stderr]) {
      expect(shown).not.toContain(MAPPED);
      expect(shown).not.toContain(HAND_SET);
    }

    expect(await binds(dn(), HAND_SET)).toBe(false);
    expect(await binds(dn(), MAPPED)).toBe(true);

    engine = await open();
    try {
      const link = (await engine.store.accounts.listByIdentity('A1')).find((l) => l.target === 'corp-ldap');
      expect(link?.enabled).toBe(true);
      expect(String(link?.attributes.password)).toMatch(/^secret:/);
      expect(link?.attributes.password).toBe(enable?.after.attributes?.password);
      const audit = JSON.stringify(await engine.store.audit.list({ identity: 'A1' }));
      expect(audit).not.toContain(MAPPED);
      expect(audit).not.toContain(HAND_SET);
      // Nothing left to do: the link's fingerprint is the mapping's.
      const again = await engine.plan({});
      expect(again.changes).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
