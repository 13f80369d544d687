import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, departmentRoles, FULL_NAME, groupsOf, ldapProjectYaml, tearDown } from './directory-config.js';
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
      scope: 'sub', filter: `(entryUUID=${linked.accountId})`, attributes: ['uid', 'cn', 'sn', 'mail', 'ou', 'title', 'entryUUID'],
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
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-dir-e2e-'));
    const s = slapd.suffix;
    writeFileSync(join(dir, 'roster.yaml'), ldapProjectYaml(slapd, {
      lifecycle: true,
      usersDn: `cn={cn},ou={department},ou=people,${s}`,
      createOUs: true,
      userAttributes: { email: 'mail', department: 'ou', cn: 'cn', sn: 'sn', title: 'title' },
      placeholder: true,
      attributes: {
        uid: 'identity.employeeId', cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', department: 'identity.department', title: 'identity.title',
      },
      leaver: '{ disable: immediately, delete: after 30d }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
      executor: '{ concurrency: 4, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50, quarantineAfter: 100 }',
      roles: departmentRoles('corp-ldap', { Engineering: 'engineering', Sales: 'sales' }),
    }));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
  });
  afterAll(() => tearDown({ engine, client: reader, server: slapd, dirs: [dir] }));

  it('joiners get an entry under their department OU with their birthright groups', async () => {
    await sync(staff());
    const ada = await entry('E1');
    expect(ada?.dn).toBe(`cn=Ada Lovelace,ou=Engineering,ou=people,${slapd.suffix}`);
    expect(await groupsOf(reader, slapd, ada?.dn)).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`, `cn=engineering,ou=groups,${slapd.suffix}`]);
    expect((await link('E1'))?.entitlements).toEqual(['all-staff', 'engineering']);
    expect(await groupsOf(reader, slapd, (await entry('E2'))?.dn)).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`, `cn=sales,ou=groups,${slapd.suffix}`]);
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
    expect(await groupsOf(reader, slapd, after?.dn)).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`, `cn=sales,ou=groups,${slapd.suffix}`]);
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
    expect(await groupsOf(reader, slapd, back?.dn)).toEqual([`cn=all-staff,ou=groups,${slapd.suffix}`, `cn=engineering,ou=groups,${slapd.suffix}`]);
    expect((await people()).filter((uid) => uid === 'E3')).toHaveLength(1);
  });

  it('two leavers with the same name from different departments are both disabled and both rehired, each with its own entry and groups', async () => {
    const s = slapd.suffix;
    const rest = staff().filter((p) => p.employeeId !== 'E2').map((p) => {
      if (p.employeeId === 'E1') return { ...p, department: 'Sales', title: 'Account Executive' };
      return p.employeeId === 'E3' ? { ...p, startDate: '2027-01-10', endDate: '', status: 'active', employmentType: 'employee' } : p;
    });
    const sams = [
      person({ employeeId: 'D1', givenName: 'Sam', familyName: 'Doe', email: 'sam.doe@example.com', department: 'Engineering' }),
      person({ employeeId: 'D2', givenName: 'Sam', familyName: 'Doe', email: 'sam.doe2@example.com', department: 'Sales' }),
    ];
    clock.now = new Date('2027-02-01T09:00:00Z');
    await sync([...rest, ...sams]);
    const joined = [await entry('D1'), await entry('D2')];
    expect(joined.map((e) => e?.dn)).toEqual([`cn=Sam Doe,ou=Engineering,ou=people,${s}`, `cn=Sam Doe,ou=Sales,ou=people,${s}`]);

    clock.now = new Date('2027-02-11T09:00:00Z');
    await sync([...rest, ...sams.map((p) => ({ ...p, endDate: '2027-02-10', status: 'terminated' }))]);
    // Whichever went first has the plain DN; the other has its uid added to the RDN.
    const disabled = [await entry('D1'), await entry('D2')];
    const dns = disabled.map((e, i) => (e?.dn ?? '').replace(`+uid=D${i + 1},`, ','));
    expect(dns).toEqual([`cn=Sam Doe,ou=disabled,${s}`, `cn=Sam Doe,ou=disabled,${s}`]);
    expect(new Set(disabled.map((e) => e?.dn)).size).toBe(2);
    expect(disabled.map((e) => e?.entryUUID)).toEqual(joined.map((e) => e?.entryUUID));
    for (const id of ['D1', 'D2']) expect((await link(id))?.enabled).toBe(false);

    clock.now = new Date('2027-02-20T09:00:00Z');
    await sync([...rest, ...sams.map((p) => ({ ...p, startDate: '2027-02-20' }))]);
    const back = [await entry('D1'), await entry('D2')];
    expect(back.map((e) => e?.dn)).toEqual(joined.map((e) => e?.dn));
    expect(back.map((e) => e?.entryUUID)).toEqual(joined.map((e) => e?.entryUUID));
    expect(back.map((e) => list(e?.uid))).toEqual([['D1'], ['D2']]);
    expect(await groupsOf(reader, slapd, back[0]?.dn)).toEqual([`cn=all-staff,ou=groups,${s}`, `cn=engineering,ou=groups,${s}`]);
    expect(await groupsOf(reader, slapd, back[1]?.dn)).toEqual([`cn=all-staff,ou=groups,${s}`, `cn=sales,ou=groups,${s}`]);
    for (const id of ['D1', 'D2']) expect((await link(id))?.enabled).toBe(true);
  });
});

/**
 * The strip-groups disable strategy through the engine: a disable takes every
 * group away (a marker attribute says disabled), an enable gives back what the
 * link still lists, and a rehire gets the same entry and groups in one sync.
 */
describe('directory end to end: strip-groups disable -> OpenLDAP', () => {
  const MARKER = 'pwdAccountLockedTime';
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let admin: Client;
  const clock = { now: new Date('2026-11-27T09:00:00Z') };
  const ada = person({ employeeId: 'S1', givenName: 'Ada', familyName: 'Lovelace' });
  const bob = person({ employeeId: 'S2', givenName: 'Bob', familyName: 'Byte' });

  /** One sync at `at` with this HR file; the plan's changes as action[:entitlement]. */
  async function syncAt(at: string, hr: readonly Person[]): Promise<string[]> {
    clock.now = new Date(at);
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const { plan, result } = await engine.sync({ actor: 'test' });
    expect(result?.errors ?? []).toEqual([]);
    return plan.changes.map((c) => [c.action, c.after?.entitlement ?? c.before?.entitlement].filter(Boolean).join(':'));
  }
  /** The link, and its entry as slapd holds it: entryUUID, groups (cn, sorted), disabled marker. */
  async function account(id: string) {
    const link = (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ldap');
    const { searchEntries } = await admin.search(slapd.suffix, { scope: 'sub', filter: `(entryUUID=${link?.accountId ?? 'none'})`, attributes: ['entryUUID', MARKER] });
    const entry = searchEntries[0];
    const groups = (await groupsOf(admin, slapd, entry?.dn)).map((dn) => dn.replace(/^cn=([^,]+),.*$/, '$1'));
    return { link, uuid: entry?.entryUUID, groups, marked: [entry?.[MARKER] ?? []].flat().length > 0 };
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    admin = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-dir-strip-'));
    const yaml = ldapProjectYaml(slapd, {
      lifecycle: true,
      usersDn: `uid={uid},ou=people,${slapd.suffix}`,
      userAttributes: { email: 'mail', department: 'departmentNumber', cn: 'cn', sn: 'sn' },
      attributes: { uid: 'identity.employeeId', cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', department: 'identity.department' },
      leaver: '{ disable: immediately, delete: after 30d }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
      roles: departmentRoles('corp-ldap', { Engineering: 'engineering', Sales: 'sales' }),
      disable: `{ strategy: strip-groups, attribute: ${MARKER}, value: "000001010000Z" }`,
    });
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
  });
  afterAll(() => tearDown({ engine, client: admin, server: slapd, dirs: [dir] }));

  it('joiner, leaver, rehire within the grace: the same entry with the same groups, from the one sync that rehires', async () => {
    await syncAt('2026-11-27T09:00:00Z', [ada, bob]);
    const joined = await account('S1');
    expect(joined, `link: ${JSON.stringify(joined.link?.entitlements)}`).toMatchObject({ groups: ['all-staff', 'engineering'], marked: false });

    // The leaver plan revokes every group before the disable (leaver.revoke_all); the strip finds nothing left of Roster's.
    expect(await syncAt('2026-11-29T09:00:00Z', [{ ...ada, endDate: '2026-11-28', status: 'terminated' }, bob]))
      .toEqual(['revoke:all-staff', 'revoke:engineering', 'disable']);
    expect(await account('S1')).toMatchObject({ uuid: joined.uuid, groups: [], marked: true });
    expect((await account('S2')).groups).toEqual(['all-staff', 'engineering']);

    expect(await syncAt('2026-12-10T09:00:00Z', [{ ...ada, startDate: '2026-12-10' }, bob])).toEqual(['enable', 'grant:all-staff', 'grant:engineering']);
    const back = await account('S1');
    expect(back).toMatchObject({ uuid: joined.uuid, groups: ['all-staff', 'engineering'], marked: false });
    expect(back.link?.enabled).toBe(true);
    expect(await syncAt('2026-12-10T10:00:00Z', [{ ...ada, startDate: '2026-12-10' }, bob])).toEqual([]);
  });

  it('a suspension keeps the grants: the enable alone restores them, except one the plan revoked meanwhile', async () => {
    const suspended = { ...bob, startDate: '2027-01-20' };
    expect(await syncAt('2027-01-05T09:00:00Z', [{ ...ada, startDate: '2026-12-10' }, suspended])).toEqual(['disable']);
    const stripped = await account('S2');
    expect(stripped).toMatchObject({ groups: [], marked: true });
    expect(stripped.link?.entitlements).toEqual(['all-staff', 'engineering']);

    // Moved to Sales while suspended: engineering is revoked (and must not come back), sales granted.
    const moved = { ...suspended, department: 'Sales' };
    expect((await syncAt('2027-01-06T09:00:00Z', [{ ...ada, startDate: '2026-12-10' }, moved])).sort()).toEqual(['grant:sales', 'revoke:engineering', 'update']);

    expect(await syncAt('2027-01-20T09:00:00Z', [{ ...ada, startDate: '2026-12-10' }, moved])).toEqual(['enable']);
    const restored = await account('S2');
    expect(restored).toMatchObject({ uuid: stripped.uuid, groups: ['all-staff', 'sales'], marked: false });
    expect(restored.link?.entitlements).toEqual(['all-staff', 'sales']);
    // sales was granted while suspended: recorded on the link, not written (a disabled entry holds no group), so the enable gives it too (review22).
    const enabled = (await engine.store.audit.list({ identity: 'S2', kind: 'change.applied' })).find((e) => (e.data as { action?: string }).action === 'enable');
    expect(enabled?.data).toMatchObject({ restored: ['all-staff', 'sales'] });
    expect(await syncAt('2027-01-20T10:00:00Z', [{ ...ada, startDate: '2026-12-10' }, moved])).toEqual([]);
  });
});
