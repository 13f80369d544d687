import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unicodePwd } from '../../src/connectors/ad/password.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, departmentRoles, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

/**
 * Review 20: what an AD administrator does by hand between Roster's runs
 * (moves a user to another OU, changes its UPN, takes it out of a group it
 * also holds through a nested group, puts users from outside Roster's base
 * and a group into a group Roster manages), and a bind account delegated
 * less than Roster needs (no "Delete subtree", no "Write department"),
 * through the engine against Samba.
 */
describe('review20: AD admin edits and delegated rights, engine against Samba', () => {
  let samba: RunningSamba;
  let admin: Client;
  const dirs: string[] = [];
  const engines: Engine[] = [];
  let people = '';
  let groupsOu = '';

  const staff = (): Person[] => ['E1', 'E2', 'E3'].map((id) => person({ employeeId: id, givenName: `G${id}`, familyName: `F${id}` }));

  async function open(prefix: string, bind: { dn: string; password: string } | undefined, dn: string): Promise<{ engine: Engine; dir: string }> {
    const dir = adProjectDir(prefix, samba);
    dirs.push(dir);
    writeFileSync(join(dir, 'roster.yaml'), adProjectYaml({ ...samba, bindDN: bind?.dn ?? samba.bindDN }, {
      usersDn: dn,
      createOUs: true,
      attributes: { sAMAccountName: `'"${prefix.slice(0, 3)}" + identity.employeeId.lowerAscii()'`, sn: 'identity.familyName', employeeID: 'identity.employeeId', department: 'identity.department' },
      leaver: '{ disable: immediately, delete: immediately }',
      safety: '{ maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }',
      roles: departmentRoles('corp-ad', { Engineering: 'Engineering', Sales: 'Sales' }),
    }));
    process.env.ROSTER_E2E_AD_PASSWORD = bind?.password ?? samba.password;
    const engine = await openEngine(join(dir, 'roster.yaml'));
    engines.push(engine);
    return { engine, dir };
  }
  async function sync(project: { engine: Engine; dir: string }, hr: readonly Person[]) {
    writeFileSync(join(project.dir, 'employees.csv'), csv(hr));
    return project.engine.sync({ actor: 'test' });
  }
  /** The users (anywhere in the domain) holding a sAMAccountName. */
  async function user(name: string): Promise<{ dn: string; memberOf: string[]; upn: string }[]> {
    const { searchEntries } = await admin.search(samba.baseDN, {
      scope: 'sub', filter: `(&(objectCategory=person)(objectClass=user)(sAMAccountName=${name}))`, attributes: ['memberOf', 'userPrincipalName'],
    });
    const list = (v: unknown) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((dn) => String(dn).split(',')[0] ?? '').sort());
    return searchEntries.map((e) => ({ dn: e.dn, memberOf: list(e.memberOf), upn: String(e.userPrincipalName) }));
  }
  async function members(group: string): Promise<string[]> {
    const { searchEntries } = await admin.search(group, { scope: 'base', attributes: ['member'] });
    const v = searchEntries[0]?.member;
    return (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((dn) => String(dn).toLowerCase()).sort();
  }
  const replace = (dn: string, type: string, values: string[]) => admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type, values }) }));
  const addMember = (group: string, dn: string) => admin.modify(group, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dn] }) }));

  beforeAll(async () => {
    samba = await startSamba();
    admin = await adminClient(samba);
    people = `OU=People,${samba.rosterOU}`;
    groupsOu = `OU=Groups,${samba.rosterOU}`;
  }, 400_000);
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await tearDown({ client: admin, server: samba, dirs });
  });

  it('moved and re-UPNed by hand, out of a group it also gets through nesting; outsiders and a nested group in a managed group stay', async () => {
    const project = await open('adm-edits-', undefined, `CN={sAMAccountName},OU={department},${people}`);
    const first = await sync(project, staff());
    expect(first.result?.errors ?? []).toEqual([]);
    const [e1] = await user('adme1');
    expect(e1?.memberOf).toEqual(['CN=All Staff', 'CN=Engineering']);
    const engineering = `CN=Engineering,${groupsOu}`;
    const allStaff = `CN=All Staff,${groupsOu}`;

    // An admin: a group H with E1 in it, H inside Engineering, E1's direct membership of Engineering taken out;
    // E1 moved to another OU below the base and given another UPN. A user outside the base and a group put in All Staff.
    const nested = `CN=Nested H,CN=Users,${samba.baseDN}`;
    await admin.add(nested, { objectClass: ['top', 'group'], sAMAccountName: 'nested-h' });
    await addMember(nested, e1?.dn ?? '');
    await addMember(engineering, nested);
    await admin.modify(engineering, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [e1?.dn ?? ''] }) }));
    await admin.add(`OU=Elsewhere,${people}`, { objectClass: ['top', 'organizationalUnit'] });
    const moved = `CN=adme1,OU=Elsewhere,${people}`;
    await admin.modifyDN(e1?.dn ?? '', moved);
    await replace(moved, 'userPrincipalName', ['ada.by.hand@example.test']);
    const outsider = `CN=Outsider,CN=Users,${samba.baseDN}`;
    await admin.add(outsider, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: 'outsider', userAccountControl: '514' });
    await addMember(allStaff, outsider);
    await addMember(allStaff, nested);

    await project.engine.reconcile('corp-ad', { actor: 'test' });
    const plan = await project.engine.plan();
    // The link keeps the account where the admin put it: no create; the direct membership nesting also gives is granted again.
    expect(plan.changes.map((c) => `${c.identity}:${c.action}:${c.after?.entitlement ?? ''}`)).toEqual(['E1:grant:Engineering']);
    await project.engine.apply(plan, { actor: 'test' });
    expect(await user('adme1')).toEqual([{ dn: moved, memberOf: ['CN=All Staff', 'CN=Engineering', 'CN=Nested H'], upn: 'ada.by.hand@example.test' }]);

    // A mover starts from where the account is now: out of OU=Elsewhere into OU=Sales, one account, groups in line.
    const moved1 = staff().map((p) => (p.employeeId === 'E1' ? { ...p, department: 'Sales' } : p));
    const mover = await sync(project, moved1);
    expect(mover.result?.errors ?? []).toEqual([]);
    expect(await user('adme1')).toEqual([{ dn: `CN=adme1,OU=Sales,${people}`, memberOf: ['CN=All Staff', 'CN=Nested H', 'CN=Sales'], upn: 'ada.by.hand@example.test' }]);

    // A leaver's revoke of All Staff takes only the leaver out: the outsider and the nested group stay.
    const leaver = await sync(project, moved1.map((p) => (p.employeeId === 'E2' ? { ...p, endDate: '2021-01-01', status: 'terminated' } : p)));
    expect(leaver.result?.errors ?? []).toEqual([]);
    expect(await user('adme2')).toEqual([]);
    const left = await members(allStaff);
    expect(left).toContain(outsider.toLowerCase());
    expect(left).toContain(nested.toLowerCase());
    expect(left.filter((dn) => dn.startsWith('cn=adme'))).toHaveLength(2);
    // Another reconcile pass sees neither the group nor the outsider as an orphan account.
    const pass = await project.engine.reconcile('corp-ad', { actor: 'test' });
    expect(JSON.stringify(pass)).not.toMatch(/Nested H|Outsider/i);
    expect((await project.engine.plan()).changes).toEqual([]);
  }, 240_000);

  it('a bind account without "Delete subtree" or "Write department": each refusal names the DN and the right, and is not retried', async () => {
    const svc = `CN=svc-roster,CN=Users,${samba.baseDN}`;
    const password = 'Svc-Roster-Passw0rd-20!';
    await admin.add(svc, [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }), new Attribute({ type: 'sAMAccountName', values: ['svc-roster'] }),
      new Attribute({ type: 'userAccountControl', values: ['512'] }), new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }),
    ]);
    const { searchEntries: [account] } = await admin.search(svc, { scope: 'base', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    const raw = account?.objectSid as Buffer;
    const sid = `S-${raw[0]}-${raw.readUIntBE(2, 6)}-${Array.from({ length: raw[1] ?? 0 }, (_, i) => raw.readUInt32LE(8 + 4 * i)).join('-')}`;
    const { searchEntries: [schema] } = await admin.search(`CN=Schema,CN=Configuration,${samba.baseDN}`, {
      scope: 'one', filter: '(lDAPDisplayName=department)', attributes: ['schemaIDGUID'], explicitBufferAttributes: ['schemaIDGUID'],
    });
    const g = schema?.schemaIDGUID as Buffer;
    const hex = (b: Buffer) => b.toString('hex');
    const department = `${hex(Buffer.from(g.subarray(0, 4)).reverse())}-${hex(Buffer.from(g.subarray(4, 6)).reverse())}-${hex(Buffer.from(g.subarray(6, 8)).reverse())}-${hex(g.subarray(8, 10))}-${hex(g.subarray(10))}`;
    const dsacl = (dn: string, sddl: string) => {
      const run = spawnSync('samba-tool', ['dsacl', 'set', '-H', '/tmp/roster-samba/run/private/sam.ldb', '-s', '/tmp/roster-samba/run/etc/smb.conf',
        '--objectdn', dn, '--sddl', sddl], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
    };
    // Everything on the Roster OU and below (read, write, create and delete children, delete, reset password), but not "Delete subtree" (DT).
    dsacl(samba.rosterOU, `(A;CI;RPWPCRCCDCLCSWSDLORC;;;${sid})`);

    const project = await open('dlg-rights-', { dn: svc, password }, `CN={sAMAccountName},${people}`);
    const first = await sync(project, staff());
    expect(first.result?.errors ?? []).toEqual([]);
    const [e1] = await user('dlge1');
    const [e2] = await user('dlge2');
    // "Write department" denied on E2's user, explicitly (an explicit deny comes before the inherited allow).
    dsacl(e2?.dn ?? '', `(OD;;WP;${department};;${sid})`);
    await admin.add(`CN=App Store,${e1?.dn ?? ''}`, { objectClass: ['top', 'classStore'] });

    const result = await sync(project, staff().map((p) => {
      if (p.employeeId === 'E1') return { ...p, endDate: '2021-01-01', status: 'terminated' };
      return p.employeeId === 'E2' ? { ...p, department: 'Finance' } : p;
    }));
    const errors = (result.result?.errors ?? []).map((e) => e.error).sort();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain(`delete on corp-ad: the bind account may not delete it with the objects it holds (it is no leaf: a tree delete) on ${e1?.dn ?? ''}: delegate "Delete subtree" there`);
    expect(errors[1]).toContain(`update on corp-ad: the bind account may not write department on ${e2?.dn ?? ''}: delegate "Write department" (Write property) there`);
    // Refused for good, not retried: both failed once, nothing is left pending.
    expect(result.result).toMatchObject({ failed: 2, pending: 0 });
    // The user is still there with its child, disabled; the department is unchanged.
    expect(await user('dlge1')).toHaveLength(1);
  }, 240_000);
});
