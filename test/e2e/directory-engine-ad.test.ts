import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafValue, sameDn } from '../../src/connectors/directory/dn.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { explainText } from '../../src/cli/commands/explain.js';
import type { CliContext } from '../../src/cli/context.js';
import { createStyle } from '../../src/cli/format.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, departmentRoles, FULL_NAME, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

const DAY = 86_400_000;
const INJECTION = '*)(cn=*))(|(cn=*';

/**
 * Joiner, mover, leaver and rehire through openEngine into a Samba AD DC.
 * The CN is the display name, so RFC 4514 specials land in the DN; the
 * manager attribute names the manager's own user through `managerAccount`.
 * Few people: creates with a password run at about 26/s.
 */
describe('directory end to end: engine -> Samba AD', () => {
  let samba: RunningSamba;
  let engine: Engine;
  let dir: string;
  let reader: Client;
  // A driven clock that still moves: the executor's retry backoff is due against this clock.
  let offset = new Date('2026-11-27T09:00:00Z').getTime() - Date.now();
  const clock = {
    get now(): Date { return new Date(Date.now() + offset); },
    set now(date: Date) { offset = date.getTime() - Date.now(); },
  };
  let people = 'OU=People';

  const staff = (): Person[] => [
    person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
    person({ employeeId: 'E2', givenName: 'Zoë', familyName: 'Müller', email: 'zoe.muller@example.com', managerId: 'E1' }),
    person({ employeeId: 'E3', givenName: 'Łukasz', familyName: '李', email: 'lukasz.li@example.com', managerId: 'E1', employmentType: 'contractor', endDate: '2027-06-30' }),
    person({ employeeId: 'E4', givenName: 'Smith, John', familyName: '+"\\<>;=#x', email: 'odd@example.com', department: 'Sales' }),
    person({ employeeId: 'E5', givenName: 'Eve', familyName: INJECTION, email: 'eve@example.com', department: 'Sales' }),
  ];

  async function sync(hr: readonly Person[]) {
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    return result;
  }
  const link = async (id: string) => (await engine.store.accounts.listByIdentity(id)).find((l) => l.target === 'corp-ad');
  async function entry(employeeID: string) {
    const { searchEntries } = await reader.search(samba.rosterOU, {
      scope: 'sub', filter: `(&(objectClass=user)(employeeID=${employeeID}))`,
      attributes: ['cn', 'sn', 'displayName', 'sAMAccountName', 'userPrincipalName', 'userAccountControl', 'manager', 'memberOf', 'accountExpires', 'department', 'objectGUID'],
      explicitBufferAttributes: ['objectGUID'],
    });
    expect(searchEntries.length).toBeLessThanOrEqual(1);
    return searchEntries[0];
  }
  const guid = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString('hex') : '');
  const groups = (value: unknown): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((dn) => String(dn).split(',')[0] ?? '').sort());
  async function users(): Promise<number> {
    const { searchEntries } = await reader.search(samba.rosterOU, { scope: 'sub', filter: '(&(objectCategory=person)(objectClass=user))', attributes: ['1.1'] });
    return searchEntries.length;
  }

  beforeAll(async () => {
    samba = await startSamba();
    people = `OU=People,${samba.rosterOU}`;
    reader = await adminClient(samba);
    dir = adProjectDir('roster-ad-engine-', samba);
    writeFileSync(join(dir, 'roster.yaml'), adProjectYaml(samba, {
      lifecycle: true,
      usersDn: `CN={displayName},OU={department},${people}`,
      createOUs: true,
      attributes: {
        sAMAccountName: `'"r-" + identity.employeeId.lowerAscii()'`,
        displayName: FULL_NAME,
        givenName: 'identity.givenName',
        sn: 'identity.familyName',
        email: 'identity.email',
        department: 'identity.department',
        employeeID: 'identity.employeeId',
        // The manager's own user, by objectGUID: AD resolves <GUID=…> and keeps the reference when the manager moves.
        manager: `'has(managerAccount.id) ? "<GUID=" + managerAccount.id + ">" : ""'`,
        // A date-time at midnight with an offset: AD keeps a FILETIME and reads it back as the day before, which
        // reconcile must take as the same value (Connector.sameValue), or every plan after it would write it again.
        accountExpires: `'identity.employmentType == "contractor" && identity.endDate != "" ? identity.endDate + "T00:00:00+00:00" : ""'`,
      },
      leaver: '{ disable: immediately, delete: after 30d }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
      executor: '{ concurrency: 4, maxAttempts: 6, backoffBaseMs: 50, backoffMaxMs: 400, quarantineAfter: 100 }',
      roles: departmentRoles('corp-ad', { Engineering: 'Engineering', Sales: 'Sales' }),
    }));
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
  }, 400_000);
  afterAll(() => tearDown({ engine, client: reader, server: samba, dirs: [dir] }));

  it('joiners: enabled users under their department OU, UPN, manager DN, contractor expiry, groups', async () => {
    const first = await sync(staff());
    // Ada had no user yet when the plan was made: the plan said her reports' references wait for it, and the
    // apply set them in a follow-up plan once her user existed. Nothing is left for the next plan.
    expect(first.plan.diagnostics.filter((d) => d.code === 'reference.deferred').map((d) => d.identities)).toEqual([['E2', 'E3']]);
    expect(first.result?.followUp).toMatchObject({ changes: 2, applied: 2, failed: 0, pending: 0 });
    const second = await sync(staff());
    expect(second.plan.changes).toEqual([]);
    expect(first.plan.changes.filter((c) => c.action === 'create')).toHaveLength(5);
    const zoe = await entry('E2');
    expect(zoe?.dn).toBe(`CN=Zoë Müller,OU=Engineering,${people}`);
    expect(zoe?.sAMAccountName).toBe('r-e2');
    expect(zoe?.userPrincipalName).toBe('r-e2@example.test');
    expect(zoe?.userAccountControl).toBe('512');
    expect(zoe?.manager).toBe(`CN=Ada Lovelace,OU=Engineering,${people}`);
    expect(zoe?.accountExpires).toBe('0');
    expect(groups(zoe?.memberOf)).toEqual(['CN=All Staff', 'CN=Engineering']);
    const contractor = await entry('E3');
    expect(contractor?.cn).toBe('Łukasz 李');
    // The start of 2027-06-30 as a FILETIME: not "never".
    expect(Number(contractor?.accountExpires)).toBeGreaterThan(0);
    expect((await link('E3'))?.entitlements).toEqual(['All Staff', 'Engineering']);
    // A reconcile pass reads the manager back as a DN; the <GUID=…> reference Roster wrote stays in the link, so nothing is rewritten.
    await engine.reconcile('corp-ad', { actor: 'test' });
    const adaRef = (await link('E2'))?.attributes.manager;
    expect(adaRef).toBe(`<GUID=${(await link('E1'))?.accountId}>`);
    expect((await engine.plan()).changes).toEqual([]);
    // Someone makes Łukasz Zoë's manager by hand, and clears Łukasz's own: the next reconcile sees both, the plan after it puts Ada back.
    await reader.modify(zoe?.dn ?? '', [new Change({ operation: 'replace', modification: new Attribute({ type: 'manager', values: [contractor?.dn ?? ''] }) })]);
    await reader.modify(contractor?.dn ?? '', [new Change({ operation: 'delete', modification: new Attribute({ type: 'manager' }) })]);
    await engine.reconcile('corp-ad', { actor: 'test' });
    const restore = await engine.plan();
    expect(restore.changes.map((c) => `${c.identity}:${c.action}:${String(c.after?.attributes?.manager)}`).sort()).toEqual([`E2:update:${adaRef}`, `E3:update:${adaRef}`]);
    await engine.apply(restore, { actor: 'test' });
    expect((await entry('E2'))?.manager).toBe(`CN=Ada Lovelace,OU=Engineering,${people}`);
    expect((await entry('E3'))?.manager).toBe(`CN=Ada Lovelace,OU=Engineering,${people}`);
    expect((await engine.plan()).changes).toEqual([]);
    // review19: an admin gives Zoë (an employee: the mapping says "" for no expiry) an expiry by hand. The link kept
    // the "" through the passes that read "never", so this pass reads the date in, and the next plan clears it.
    await reader.modify(zoe?.dn ?? '', [new Change({ operation: 'replace', modification: new Attribute({ type: 'accountExpires', values: ['134000000000000000'] }) })]);
    await engine.reconcile('corp-ad', { actor: 'test' });
    const expiry = await engine.plan();
    expect(expiry.changes.map((c) => `${c.identity}:${c.action}:${JSON.stringify(c.after?.attributes?.accountExpires)}`)).toEqual(['E2:update:""']);
    await engine.apply(expiry, { actor: 'test' });
    expect((await entry('E2'))?.accountExpires).toMatch(/^(0|9223372036854775807)$/);
    await engine.reconcile('corp-ad', { actor: 'test' });
    expect((await engine.plan()).changes).toEqual([]);
  }, 120_000);

  it('names with RFC 4514 specials and an injection-shaped name are stored as data', async () => {
    const odd = await entry('E4');
    expect(odd?.displayName).toBe('Smith, John +"\\<>;=#x');
    expect(odd?.sn).toBe('+"\\<>;=#x');
    // AD may write ; and = as \3B \3D: compare parsed DNs, and the CN value itself.
    expect(leafValue(odd?.dn ?? '')).toBe('Smith, John +"\\<>;=#x');
    expect(sameDn(odd?.dn ?? '', `CN=Smith\\, John \\+\\"\\\\\\<\\>\\;\\=#x,OU=Sales,${people}`)).toBe(true);
    const eve = await entry('E5');
    expect(eve?.sn).toBe(INJECTION);
    expect(await users()).toBe(5);
    expect((await entry('E1'))?.displayName).toBe('Ada Lovelace');
  }, 60_000);

  it('a mover is moved to the new OU (same objectGUID), keeps the groups it still has a role for', async () => {
    const before = await entry('E2');
    clock.now = new Date(clock.now.getTime() + DAY);
    await sync(staff().map((p) => (p.employeeId === 'E2' ? { ...p, department: 'Sales' } : p)));
    const after = await entry('E2');
    expect(guid(after?.objectGUID)).toBe(guid(before?.objectGUID));
    expect(after?.dn).toBe(`CN=Zoë Müller,OU=Sales,${people}`);
    expect(after?.department).toBe('Sales');
    expect(after?.manager).toBe(`CN=Ada Lovelace,OU=Engineering,${people}`);
    expect(groups(after?.memberOf)).toEqual(['CN=All Staff', 'CN=Sales']);
    expect(await users()).toBe(5);
  }, 60_000);

  it('a leaver is disabled at once and deleted after the grace; a rehire within the grace gets the same user back', async () => {
    const moved = staff().map((p) => (p.employeeId === 'E2' ? { ...p, department: 'Sales' } : p));
    const leaving = moved.map((p) => (p.employeeId === 'E4' || p.employeeId === 'E5' ? { ...p, endDate: '2026-11-28', status: 'terminated' } : p));
    clock.now = new Date('2026-11-29T09:00:00Z');
    await sync(leaving);
    const disabled = await entry('E4');
    expect(disabled?.userAccountControl).toBe('514');
    // E4 comes back a week later: the same user (objectGUID), enabled again.
    clock.now = new Date('2026-12-06T09:00:00Z');
    const rehired = leaving.map((p) => (p.employeeId === 'E4' ? { ...p, startDate: '2026-12-06', endDate: '', status: 'active' } : p));
    await sync(rehired);
    const back = await entry('E4');
    expect(guid(back?.objectGUID)).toBe(guid(disabled?.objectGUID));
    expect(back?.userAccountControl).toBe('512');
    // E5 stays gone: deleted once the 30-day grace is over.
    clock.now = new Date('2027-01-05T09:00:00Z');
    await sync(rehired);
    expect(await entry('E5')).toBeUndefined();
    expect(await link('E5')).toBeUndefined();
    expect(await users()).toBe(4);
  }, 120_000);

  it('explain shows access that comes through nested groups, outside what Roster manages too', async () => {
    // Someone made the Engineering group (Roster's) a member of a privileged group elsewhere in the domain.
    const privileged = `CN=Privileged Ops,CN=Users,${samba.baseDN}`;
    await reader.add(privileged, { objectClass: ['top', 'group'], cn: 'Privileged Ops', member: [`CN=Engineering,OU=Groups,${samba.rosterOU}`] });
    const explain = await engine.explain('E1');
    const account = explain.accounts.find((a) => a.target === 'corp-ad');
    expect(account?.linked?.entitlements).toEqual(['All Staff', 'Engineering']);
    // And what every user gets through the primary group, Domain Users (in BUILTIN\Users).
    const primary = [`CN=Domain Users,CN=Users,${samba.baseDN}`, `CN=Users,CN=Builtin,${samba.baseDN}`];
    expect(account?.effective).toEqual({ entitlements: ['All Staff', 'Engineering', privileged, ...primary].sort() });
    const text = explainText(explain, { style: createStyle(false, {}) } as CliContext);
    expect(text).toContain(`~ ${privileged}  ← through nested groups or the primary group`);
    expect(text).toContain(`~ CN=Domain Users,CN=Users,${samba.baseDN}  ← through nested groups or the primary group`);
    // Plans keep to the direct, managed memberships: nothing to change.
    expect((await engine.plan()).changes).toEqual([]);
  }, 60_000);
});
