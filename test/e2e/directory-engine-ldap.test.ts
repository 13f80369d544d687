import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { csv, person, type Person } from './helpers.js';

const DAY = 86_400_000;
const INJECTION = '*)(uid=*))(|(uid=*';

/**
 * Joiner, mover, leaver and rehire through openEngine into a private slapd:
 * HR CSV -> identities -> policy -> plan -> executor -> ldap connector.
 * The DN is cn={cn},ou={department},ou=people: names and departments with
 * RFC 4514 specials land in the DN itself. Time is driven by a clock.
 */
describe('directory end to end: engine -> OpenLDAP', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let reader: Client;
  const clock = { now: new Date('2026-11-27T09:00:00Z') };

  const staff = (): Person[] => [
    person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
    person({ employeeId: 'E2', givenName: 'Zoë', familyName: 'Müller', email: 'zoe.muller@example.com', department: 'Sales' }),
    person({ employeeId: 'E3', givenName: 'Łukasz', familyName: 'Nowak', email: 'lukasz.nowak@example.com', employmentType: 'contractor', endDate: '2027-06-30' }),
    person({ employeeId: 'E4', givenName: '伟', familyName: '李', email: 'wei.li@example.com' }),
    person({ employeeId: 'E5', givenName: 'Smith, John', familyName: '+"\\<>;=#x', email: 'odd@example.com', department: 'R&D, "Labs" #1' }),
    person({ employeeId: INJECTION, givenName: '*', familyName: INJECTION, email: 'evil@example.com' }),
  ];

  async function sync(hr: readonly Person[]) {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    return result;
  }
  const link = async (id: string) => (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ldap');
  /** The entry as slapd holds it, found by entryUUID (the link's account id). */
  async function entry(id: string) {
    const linked = await link(id);
    if (linked === undefined) return undefined;
    const { searchEntries } = await reader.search(slapd.suffix, {
      scope: 'sub', filter: `(entryUUID=${linked.accountId})`, attributes: ['uid', 'cn', 'sn', 'mail', 'ou', 'title', 'memberOf', 'entryUUID'],
    });
    return searchEntries[0];
  }
  const list = (value: unknown): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String).sort());
  async function people(): Promise<string[]> {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] });
    return searchEntries.map((e) => String(e.uid)).sort();
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = new Client({ url: slapd.url });
    await reader.bind(slapd.bindDN, slapd.password);
    dir = mkdtempSync(join(tmpdir(), 'roster-dir-e2e-'));
    const s = slapd.suffix;
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./data/roster.db
lifecycle: { prehireLeadDays: 7, timezone: UTC }
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: corp-ldap
    type: ldap
    connection:
      url: ${slapd.url}
      bindDN: "${slapd.bindDN}"
      password: \${env:ROSTER_E2E_LDAP_PASSWORD}
      users:
        base: "ou=people,${s}"
        dn: "cn={cn},ou={department},ou=people,${s}"
        createOUs: true
        key: uid
        attributes: { email: mail, department: ou, cn: cn, sn: sn, title: title }
      groups: { base: "ou=groups,${s}", names: true, create: true, placeholder: "cn=placeholder,${s}" }
      disable: { strategy: move, ou: "ou=disabled,${s}" }
    accountKey: uid
    attributes:
      uid: identity.employeeId
      cn: identity.givenName + " " + identity.familyName
      sn: identity.familyName
      email: identity.email
      department: identity.department
      title: identity.title
    leaver: { disable: immediately, delete: after 30d }
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
    executor: { concurrency: 4, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50, quarantineAfter: 100 }
roles:
  - { id: staff, when: "true", grants: { corp-ldap: [all-staff] } }
  - { id: engineering, when: 'identity.department == "Engineering"', grants: { corp-ldap: [engineering] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { corp-ldap: [sales] } }
`);
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
  });
  afterAll(async () => {
    await engine?.close();
    await reader?.unbind();
    await slapd?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('joiners get an entry under their department OU with their birthright groups', async () => {
    await sync(staff());
    const ada = await entry('E1');
    expect(ada?.dn).toBe(`cn=Ada Lovelace,ou=Engineering,ou=people,${slapd.suffix}`);
    expect(list(ada?.memberOf)).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`, `cn=engineering,ou=groups,${slapd.suffix}`]);
    expect((await link('E1'))?.entitlements).toEqual(['all-staff', 'engineering']);
    expect(list((await entry('E2'))?.memberOf)).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`, `cn=sales,ou=groups,${slapd.suffix}`]);
  });

  it('names with RFC 4514 specials and non-ASCII letters are provisioned exactly', async () => {
    expect((await entry('E2'))?.cn).toBe('Zoë Müller');
    expect((await entry('E3'))?.cn).toBe('Łukasz Nowak');
    expect((await entry('E4'))?.cn).toBe('伟 李');
    const odd = await entry('E5');
    expect(odd?.cn).toBe('Smith, John +"\\<>;=#x');
    expect(odd?.sn).toBe('+"\\<>;=#x');
    expect(odd?.ou).toBe('R&D, "Labs" #1');
    // The department OU was created with the escaped name, and the entry sits below it.
    const { searchEntries } = await reader.search(`ou=people,${slapd.suffix}`, { scope: 'one', filter: '(objectClass=organizationalUnit)', attributes: ['ou'] });
    expect(searchEntries.map((e) => String(e.ou)).sort()).toEqual(['Engineering', 'R&D, "Labs" #1', 'Sales']);
  });

  it('an HR value crafted as an LDAP injection is stored as data and touches no one else', async () => {
    const evil = await entry(INJECTION);
    expect(evil?.uid).toBe(INJECTION);
    expect(evil?.sn).toBe(INJECTION);
    expect(await people()).toEqual([INJECTION, 'E1', 'E2', 'E3', 'E4', 'E5'].sort());
    expect((await entry('E1'))?.mail).toBe('ada.lovelace@example.com');
    // A no-change sync: the escaped key finds its own entry, no duplicate, nothing planned.
    const again = await sync(staff());
    expect(again.plan.changes).toEqual([]);
  });

  it('a mover to another department is moved with modify DN, keeps its entryUUID and groups it still has a role for', async () => {
    const before = await entry('E1');
    clock.now = new Date(clock.now.getTime() + DAY);
    await sync(staff().map((p) => (p.employeeId === 'E1' ? { ...p, department: 'Sales', title: 'Account Executive' } : p)));
    const after = await entry('E1');
    expect(after?.entryUUID).toBe(before?.entryUUID);
    expect(after?.dn).toBe(`cn=Ada Lovelace,ou=Sales,ou=people,${slapd.suffix}`);
    expect(after?.title).toBe('Account Executive');
    expect(after?.ou).toBe('Sales');
    expect(list(after?.memberOf)).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`, `cn=sales,ou=groups,${slapd.suffix}`]);
    expect(await people()).toHaveLength(6);
  });

  it('a leaver is disabled (moved to ou=disabled) at once, and deleted after the 30-day grace', async () => {
    const moved = staff().map((p) => (p.employeeId === 'E1' ? { ...p, department: 'Sales', title: 'Account Executive' } : p));
    const leaving = moved.map((p) => (p.employeeId === 'E2' ? { ...p, endDate: '2026-11-28', status: 'terminated' } : p));
    clock.now = new Date('2026-11-29T09:00:00Z');
    await sync(leaving);
    const gone = await entry('E2');
    expect(gone?.dn).toBe(`cn=Zoë Müller,ou=disabled,${slapd.suffix}`);
    expect((await link('E2'))?.enabled).toBe(false);
    clock.now = new Date(clock.now.getTime() + 31 * DAY);
    await sync(leaving);
    expect(await link('E2')).toBeUndefined();
    expect(await people()).not.toContain('E2');
    expect(await people()).toHaveLength(5);
  });

  it('a rehire within the grace gets the same entry back (same entryUUID), enabled, never a duplicate', async () => {
    // E2 left for good (deleted above) and stays out of HR.
    const base = staff().filter((p) => p.employeeId !== 'E2').map((p) => (p.employeeId === 'E1' ? { ...p, department: 'Sales', title: 'Account Executive' } : p));
    const leaving = base.map((p) => (p.employeeId === 'E3' ? { ...p, endDate: '2026-12-31', status: 'terminated' } : p));
    clock.now = new Date('2027-01-02T09:00:00Z');
    await sync(leaving);
    const disabled = await entry('E3');
    expect(disabled?.dn).toBe(`cn=Łukasz Nowak,ou=disabled,${slapd.suffix}`);
    clock.now = new Date('2027-01-10T09:00:00Z');
    await sync(base.map((p) => (p.employeeId === 'E3' ? { ...p, startDate: '2027-01-10', endDate: '', status: 'active', employmentType: 'employee' } : p)));
    const back = await entry('E3');
    expect(back?.entryUUID).toBe(disabled?.entryUUID);
    expect(back?.dn).toBe(`cn=Łukasz Nowak,ou=Engineering,ou=people,${slapd.suffix}`);
    expect((await link('E3'))?.enabled).toBe(true);
    expect(list(back?.memberOf)).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`, `cn=engineering,ou=groups,${slapd.suffix}`]);
    expect((await people()).filter((uid) => uid === 'E3')).toHaveLength(1);
  });
});
