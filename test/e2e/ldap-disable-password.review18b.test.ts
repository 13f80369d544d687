import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';
import { ldapExampleYaml } from '../support/ldap-example.js';
import { bindsAt } from '../support/ldap-login.js';

/**
 * review18b: `disable.password: remove` through the whole engine (plan,
 * apply, next plan, reconcile) on the examples/ldap project with a mapped
 * initial password that depends on the location (so HR can change it while
 * a person is away): a leaver and a person on leave lose their password with
 * the disable, and nothing gives a disabled entry a password again before
 * its enable; the plans after each step are empty.
 */
const passwordOf = (p: Person) => `Init-${p.employeeId}-${p.location}-Zq7x`;

describe('review18b: ldap disable.password: remove through the engine', () => {
  let slapd: RunningSlapd;
  let reader: Client;
  const dirs: string[] = [];
  const engines: Engine[] = [];
  const clock = { now: new Date('2026-12-01T09:00:00Z') };

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, acl: ['to attrs=userPassword by anonymous auth by * none'] });
    reader = await adminClient(slapd);
  });
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await tearDown({ client: reader, server: slapd, dirs });
  });

  async function project(label: string, first: readonly Person[], options: { passwordOnEnable?: string; disable?: string } = {}) {
    const dir = mkdtempSync(join(tmpdir(), `roster-disable-pw-${label}-`));
    dirs.push(dir);
    let yaml = ldapExampleYaml(slapd.url, { password: '"Init-" + identity.employeeId + "-" + identity.location + "-Zq7x"' });
    if (options.passwordOnEnable !== undefined) yaml = yaml.replace('        objectClasses: [inetOrgPerson]\n', `        objectClasses: [inetOrgPerson]\n        passwordOnEnable: ${options.passwordOnEnable}\n`);
    if (options.disable !== undefined) yaml = yaml.replace(/      disable: \{ strategy: move.*\n/, `      disable: ${options.disable}\n`);
    expect(yaml).toContain('secrets: [password]');
    expect(yaml).toContain('password: remove');
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    writeFileSync(join(dir, 'employees.csv'), csv(first));
    const engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now, env: { ...process.env, LDAP_PASSWORD: slapd.password } });
    engines.push(engine);
    await engine.readSource('hr', 'test');
    await engine.reconcile('corp-ldap', { actor: 'test', force: true });
    const sync = async (rows: readonly Person[]): Promise<string[]> => {
      writeFileSync(join(dir, 'employees.csv'), csv(rows));
      const result = await engine.sync({ actor: 'test' });
      expect(result.plan.held).toBe(false);
      expect(result.result?.errors ?? []).toEqual([]);
      return result.plan.changes.map((c) => c.action);
    };
    /** The plan after the last sync, HR unchanged: what it would still do. */
    const next = async (): Promise<string[]> => (await engine.plan()).changes.map((c) => `${c.action}:${c.identity}`);
    return { engine, sync, next };
  }

  async function entry(engine: Engine, id: string): Promise<{ dn: string; passwords: string[] }> {
    const link = (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ldap');
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: `(entryUUID=${link?.accountId ?? 'none'})`, attributes: ['userPassword'] });
    expect(searchEntries).toHaveLength(1);
    const raw = searchEntries[0]?.userPassword;
    return { dn: searchEntries[0]?.dn ?? '', passwords: (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String) };
  }
  const binds = (dn: string, password: string): Promise<boolean> => bindsAt(slapd.url, dn, password);

  it('a leaver loses the password with the disable; a rehire within the grace gets the mapped one; no plan after either', async () => {
    clock.now = new Date('2026-12-01T09:00:00Z');
    const lea = person({ employeeId: 'L1', givenName: 'Lea', familyName: 'Leaver', department: 'Sales' });
    const { engine, sync, next } = await project('leaver', [lea]);
    await sync([lea]);
    expect(await binds((await entry(engine, 'L1')).dn, passwordOf(lea))).toBe(true);
    clock.now = new Date('2026-12-21T09:00:00Z');
    await sync([{ ...lea, endDate: '2026-12-20', status: 'terminated' }]);
    let now = await entry(engine, 'L1');
    expect(now.dn).toMatch(/ou=disabled/);
    expect(now.passwords).toEqual([]);
    expect(await binds(now.dn, passwordOf(lea))).toBe(false);
    expect(await next()).toEqual([]);
    await engine.reconcile('corp-ldap', { actor: 'test' });
    expect(await next()).toEqual([]);
    clock.now = new Date('2027-01-05T09:00:00Z');
    const back = { ...lea, startDate: '2027-01-05', endDate: '', status: 'active' };
    await sync([back]);
    now = await entry(engine, 'L1');
    expect(now.dn).toMatch(/ou=Sales,ou=people/);
    expect(await binds(now.dn, passwordOf(back))).toBe(true);
    expect(await next()).toEqual([]);
    await engine.reconcile('corp-ldap', { actor: 'test' });
    expect(await next()).toEqual([]);
    expect(JSON.stringify(await engine.store.audit.list({ identity: 'L1' }))).not.toContain(passwordOf(lea));
  });

  it('on leave: a password HR changes meanwhile is not written into the disabled entry (it cannot bind while away)', async () => {
    clock.now = new Date('2026-12-01T09:00:00Z');
    const ola = person({ employeeId: 'O1', givenName: 'Ola', familyName: 'Onleave', department: 'Finance' });
    const { engine, sync, next } = await project('leave', [ola], { passwordOnEnable: 'return' });
    await sync([ola]);
    await sync([{ ...ola, status: 'leave' }]);
    let now = await entry(engine, 'O1');
    expect(now.dn).toMatch(/ou=disabled/);
    expect(now.passwords).toEqual([]);
    // HR moves her while she is away: the mapped password changes.
    const moved = { ...ola, status: 'leave', location: 'Paris' };
    await sync([moved]);
    now = await entry(engine, 'O1');
    expect(now.dn).toMatch(/ou=disabled/);
    expect({ passwords: now.passwords, binds: await binds(now.dn, passwordOf(moved)) }).toEqual({ passwords: [], binds: false });
    expect(await next()).toEqual([]);
    // Back from leave (passwordOnEnable: return): the mapped password as it is now.
    const back = { ...moved, status: 'active' };
    await sync([back]);
    now = await entry(engine, 'O1');
    expect(now.dn).toMatch(/ou=Finance,ou=people/);
    expect(await binds(now.dn, passwordOf(back))).toBe(true);
    expect(await next()).toEqual([]);
    expect(JSON.stringify(await engine.store.audit.list({ identity: 'O1' }))).not.toMatch(/Init-O1-(London|Paris)-Zq7x/);
  });

  it('on leave with the default passwordOnEnable: the return brings no password back, and no later plan writes the same one', async () => {
    clock.now = new Date('2026-12-01T09:00:00Z');
    const rue = person({ employeeId: 'D1', givenName: 'Rue', familyName: 'Default', department: 'People' });
    const { engine, sync, next } = await project('leave-default', [rue]);
    await sync([rue]);
    await sync([{ ...rue, status: 'leave' }]);
    expect((await entry(engine, 'D1')).passwords).toEqual([]);
    await sync([rue]);
    const now = await entry(engine, 'D1');
    expect(now.dn).toMatch(/ou=People,ou=people/);
    expect(now.passwords).toEqual([]);
    expect(await next()).toEqual([]);
  });
});
