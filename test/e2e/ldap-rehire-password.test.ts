import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';
import { ldapExampleYaml } from '../support/ldap-example.js';
import { bindsAt } from '../support/ldap-login.js';

const initialOf = (id: string) => `Init-${id}-Zq7x`;

/**
 * A rehire's entry in OpenLDAP never comes back with the password of the
 * former employment: the examples/ldap project with a mapped initial
 * password (`secrets: [password]`, `password: userPassword`), a person who
 * set their own password, left (moved to ou=disabled) and was rehired within
 * the delete grace. The enable writes the mapping's password again (the plan
 * seals it into the enable change; the executor opens it for the
 * connector); without a mapped password the old one is removed.
 */
describe('ldap target: a rehire gets the mapped initial password again, never the former one', () => {
  let slapd: RunningSlapd;
  let reader: Client;
  const dirs: string[] = [];
  const engines: Engine[] = [];
  const clock = { now: new Date('2026-12-01T09:00:00Z') };

  beforeAll(async () => {
    // Anyone may bind with an entry's password (the users' own logins); nothing else reads it.
    slapd = await startSlapd({ randomPort: true, acl: ['to attrs=userPassword by anonymous auth by * none'] });
    reader = await adminClient(slapd);
  });
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await tearDown({ client: reader, server: slapd, dirs });
  });

  async function project(withPassword: boolean, label: string, first: readonly Person[]): Promise<{ engine: Engine; sync: (rows: readonly Person[]) => Promise<void> }> {
    const dir = mkdtempSync(join(tmpdir(), `roster-rehire-pw-${label}-`));
    dirs.push(dir);
    const yaml = ldapExampleYaml(slapd.url, withPassword ? { password: '"Init-" + identity.employeeId + "-Zq7x"' } : {});
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    writeFileSync(join(dir, 'employees.csv'), csv(first));
    const engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now, env: { ...process.env, LDAP_PASSWORD: slapd.password } });
    engines.push(engine);
    // Roster meets a directory that already holds the other test's people: HR read first, then reconcile, as a customer starts.
    await engine.readSource('hr', 'test');
    await engine.reconcile('corp-ldap', { actor: 'test', force: true });
    const sync = async (rows: readonly Person[]) => {
      writeFileSync(join(dir, 'employees.csv'), csv(rows));
      const result = await engine.sync({ actor: 'test' });
      expect(result.plan.held).toBe(false);
      expect(result.result?.errors ?? []).toEqual([]);
    };
    return { engine, sync };
  }

  async function dnOf(engine: Engine, id: string): Promise<string> {
    const link = (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ldap');
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: `(entryUUID=${link?.accountId ?? 'none'})`, attributes: ['userPassword'] });
    expect(searchEntries).toHaveLength(1);
    return searchEntries[0]?.dn ?? '';
  }
  const binds = (dn: string, password: string): Promise<boolean> => bindsAt(slapd.url, dn, password);
  const setOwnPassword = (dn: string, password: string) =>
    reader.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [password] }) }));

  it('with a mapped password: the rehire binds with the initial password, not the one they chose', async () => {
    clock.now = new Date('2026-12-01T09:00:00Z');
    const tom = person({ employeeId: 'R1', givenName: 'Rita', familyName: 'Rehire', department: 'Operations' });
    const { engine, sync } = await project(true, 'mapped', [tom]);
    await sync([tom]);
    let dn = await dnOf(engine, 'R1');
    expect(await binds(dn, initialOf('R1'))).toBe(true);
    await setOwnPassword(dn, 'Chosen-By-Rita-1');
    clock.now = new Date('2026-12-21T09:00:00Z');
    await sync([{ ...tom, endDate: '2026-12-20', status: 'terminated' }]);
    dn = await dnOf(engine, 'R1');
    expect(dn).toMatch(/ou=disabled/);
    clock.now = new Date('2027-01-05T09:00:00Z');
    await sync([{ ...tom, startDate: '2027-01-05', endDate: '', status: 'active' }]);
    dn = await dnOf(engine, 'R1');
    expect(dn).toMatch(/ou=Operations,ou=people/);
    expect(await binds(dn, 'Chosen-By-Rita-1')).toBe(false);
    expect(await binds(dn, initialOf('R1'))).toBe(true);
    const enables = (await engine.store.audit.list({ identity: 'R1', kind: 'change.applied' })).filter((e) => (e.data as { action?: string }).action === 'enable');
    expect(enables).toHaveLength(1);
    expect((enables[0]?.data as { newPassword?: boolean }).newPassword).toBe(true);
    // The enable's sealed value stays sealed: the audit never holds the password.
    expect(JSON.stringify(await engine.store.audit.list({ identity: 'R1' }))).not.toContain(initialOf('R1'));
  });

  it('without a mapped password: the former password is removed at the rehire', async () => {
    clock.now = new Date('2026-12-01T09:00:00Z');
    const sam = person({ employeeId: 'R2', givenName: 'Sam', familyName: 'Returner', department: 'Sales' });
    const { engine, sync } = await project(false, 'none', [sam]);
    await sync([sam]);
    let dn = await dnOf(engine, 'R2');
    await setOwnPassword(dn, 'Chosen-By-Sam-1');
    expect(await binds(dn, 'Chosen-By-Sam-1')).toBe(true);
    clock.now = new Date('2026-12-21T09:00:00Z');
    await sync([{ ...sam, endDate: '2026-12-20', status: 'terminated' }]);
    clock.now = new Date('2027-01-05T09:00:00Z');
    await sync([{ ...sam, startDate: '2027-01-05', endDate: '', status: 'active' }]);
    dn = await dnOf(engine, 'R2');
    expect(dn).toMatch(/ou=Sales,ou=people/);
    expect(await binds(dn, 'Chosen-By-Sam-1')).toBe(false);
    const { searchEntries } = await reader.search(dn, { scope: 'base', attributes: ['userPassword'] });
    expect([searchEntries[0]?.userPassword ?? []].flat()).toEqual([]);
  });
});
