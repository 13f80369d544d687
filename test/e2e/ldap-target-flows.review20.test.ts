import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryOf, groupValues, openWorld, person, secondPlanEmpty, sync, tearDown, type World } from './ldap-flows-world.js';

describe.each(['groupOfNames', 'groupOfUniqueNames', 'posixGroup'] as const)('move + rename in one plan, %s', (objectClass) => {
  let w: World;
  const attr = objectClass === 'groupOfNames' ? 'member' : objectClass === 'groupOfUniqueNames' ? 'uniqueMember' : 'memberUid';
  beforeAll(async () => {
    const posixGroups = objectClass === 'posixGroup';
    w = await openWorld(`users:
  base: "ou=people,$S"
  dn: "uid={uid},ou={department},ou=people,$S"
  createOUs: true
  key: uid
  attributes: { email: mail, department: departmentNumber }
  posix: { uidNumber: { min: 20000, max: 29999 }, gidNumber: 100 }
groups: { base: "ou=groups,$S", objectClass: ${objectClass}, names: true, create: ${posixGroups ? 'false' : 'true'} }
disable: { strategy: move, ou: "ou=disabled,$S" }`, `roles:
  - { id: staff, when: "true", grants: { corp-ldap: [all-staff] } }
  - { id: eng, when: 'identity.department == "Engineering"', grants: { corp-ldap: [eng] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { corp-ldap: [sales] } }
`, posixGroups ? async (admin, s) => {
      let gid = 5000;
      for (const cn of ['all-staff', 'eng', 'sales']) await admin.add(`cn=${cn},ou=groups,${s}`, { objectClass: ['top', 'posixGroup'], cn, gidNumber: String(gid++) });
    } : undefined);
  });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('joiner, then move + rename in one plan, then leaver, rehire', async () => {
    w.hr = [person({ employeeId: 'E1', givenName: 'Ann', familyName: 'Lee', department: 'Engineering' }), person({ employeeId: 'E2', givenName: 'Bob', familyName: 'Ray', department: 'Engineering' })];
    let r = await sync(w);
    expect(r.result?.errors ?? []).toEqual([]);
    expect(await secondPlanEmpty(w)).toEqual([]);
    w.hr[0] = { ...w.hr[0]!, familyName: 'Kim', department: 'Sales' };
    r = await sync(w);
    expect(r.result?.errors ?? []).toEqual([]);
    const e = await entryOf(w, 'E1');
    expect(e?.entry?.dn).toBe(`uid=ann.kim,ou=Sales,ou=people,${w.slapd.suffix}`);
    const member = attr === 'memberUid' ? 'ann.kim' : `uid=ann.kim,ou=sales,ou=people,${w.slapd.suffix}`.toLowerCase();
    expect(await groupValues(w, 'all-staff', attr)).toContain(member);
    expect(await groupValues(w, 'sales', attr)).toContain(member);
    expect((await groupValues(w, 'eng', attr)).filter((v) => v.includes('ann'))).toEqual([]);
    expect((await groupValues(w, 'all-staff', attr)).filter((v) => v.includes('ann.lee'))).toEqual([]);
    expect(await secondPlanEmpty(w)).toEqual([]);
    // leaver
    w.clock.now = new Date('2026-03-10T09:00:00Z');
    w.hr[0] = { ...w.hr[0]!, endDate: '2026-03-09', status: 'terminated' };
    r = await sync(w);
    expect(r.result?.errors ?? []).toEqual([]);
    expect(await secondPlanEmpty(w)).toEqual([]);
    // rehire with a new name and department
    w.clock.now = new Date('2026-03-15T09:00:00Z');
    w.hr[0] = { ...w.hr[0]!, familyName: 'Park', department: 'Engineering', startDate: '2026-03-15', endDate: '', status: 'active' };
    r = await sync(w);
    expect(r.result?.errors ?? []).toEqual([]);
    const back = await entryOf(w, 'E1');
    expect(back?.entry?.dn).toBe(`uid=ann.park,ou=Engineering,ou=people,${w.slapd.suffix}`);
    expect(back?.entry?.uidNumber).toBe(e?.entry?.uidNumber);
    const m2 = attr === 'memberUid' ? 'ann.park' : `uid=ann.park,ou=engineering,ou=people,${w.slapd.suffix}`.toLowerCase();
    expect(await groupValues(w, 'eng', attr)).toContain(m2);
    expect(await groupValues(w, 'all-staff', attr)).toContain(m2);
    expect((await groupValues(w, 'all-staff', attr)).filter((v) => v.includes('ann.'))).toEqual([m2]);
    expect(await secondPlanEmpty(w)).toEqual([]);
  });
});

/**
 * users.dn names entries by cn ({cn}), which two people can share. A leaver
 * is moved to ou=disabled; a namesake joins the OU meanwhile; the rehire's
 * enable must not fail for good on the taken DN (it was target.conflict on
 * every plan, the person never came back): the key goes into the RDN, as it
 * does in the disabled OU, and stays there.
 */
describe('rehire and joiner when another entry holds the DN the cn template gives', () => {
  let w: World;
  const UNIQUE = 'unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii(), identity.givenName.lowerAscii().substring(0, 1) + identity.familyName.lowerAscii()])';
  beforeAll(async () => {
    w = await openWorld(`users:
  base: "ou=people,$S"
  dn: "cn={cn},ou={department},ou=people,$S"
  createOUs: true
  key: uid
  attributes: { email: mail, department: departmentNumber }
groups: { base: "ou=groups,$S", names: true, create: true }
disable: { strategy: move, ou: "ou=disabled,$S" }`, `roles:
  - { id: staff, when: "true", grants: { corp-ldap: [all-staff] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { corp-ldap: [sales] } }
`, undefined, UNIQUE);
  });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));
  const s = () => w.slapd.suffix;

  it('the rehire comes back keyed beside the namesake, with its groups; nothing flaps', async () => {
    w.hr = [person({ employeeId: 'E1', givenName: 'John', familyName: 'Smith', department: 'Sales' })];
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    const first = await entryOf(w, 'E1');
    w.clock.now = new Date('2026-03-10T09:00:00Z');
    w.hr[0] = { ...w.hr[0]!, endDate: '2026-03-09', status: 'terminated' };
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    expect((await entryOf(w, 'E1'))?.entry?.dn).toBe(`cn=John Smith,ou=disabled,${s()}`);
    w.hr.push(person({ employeeId: 'E2', givenName: 'John', familyName: 'Smith', email: 'js2@example.com', department: 'Sales' }));
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    expect((await entryOf(w, 'E2'))?.entry?.dn).toBe(`cn=John Smith,ou=Sales,ou=people,${s()}`);

    w.clock.now = new Date('2026-03-15T09:00:00Z');
    w.hr[0] = { ...w.hr[0]!, startDate: '2026-03-15', endDate: '', status: 'active' };
    const rehire = await sync(w);
    expect(rehire.result?.errors ?? []).toEqual([]);
    const back = await entryOf(w, 'E1');
    expect(back?.link.enabled).toBe(true);
    expect(back?.entry?.entryUUID).toBe(first?.entry?.entryUUID);
    expect(back?.entry?.dn).toBe(`cn=John Smith+uid=john.smith,ou=Sales,ou=people,${s()}`);
    expect(back?.entry?.uid).toBe('john.smith');
    const keyedDn = `cn=john smith+uid=john.smith,ou=sales,ou=people,${s()}`;
    expect(await groupValues(w, 'sales', 'member')).toEqual([keyedDn, `cn=john smith,ou=sales,ou=people,${s()}`].sort());
    expect(await secondPlanEmpty(w)).toEqual([]);

    // An update of the cn the template takes (HR corrects the case) leaves it keyed: the plain DN is still the namesake's.
    w.hr[0] = { ...w.hr[0]!, familyName: 'SMITH' };
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    expect((await entryOf(w, 'E1'))?.entry?.dn).toBe(`cn=John SMITH+uid=john.smith,ou=Sales,ou=people,${s()}`);
    expect((await groupValues(w, 'sales', 'member'))).toContain(keyedDn);
    expect(await secondPlanEmpty(w)).toEqual([]);
  });

  it('a namesake joining an OU where the name is taken is refused naming the DN; the keyed rehire moving to a free DN goes there plain', async () => {
    w.hr.push(person({ employeeId: 'E3', givenName: 'Mary', familyName: 'Jones', department: 'Finance' }));
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    w.hr.push(person({ employeeId: 'E4', givenName: 'Mary', familyName: 'Jones', email: 'mj2@example.com', department: 'Finance' }));
    const joined = await sync(w);
    const taken = `cn=Mary Jones,ou=Finance,ou=people,${s()}`;
    expect(joined.result?.errors.map((e) => e.error)).toEqual([
      expect.stringMatching(new RegExp(`^target\\.conflict: create on corp-ldap: ${taken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is held by another entry \\(without uid mjones\\)`)),
      // Its grant is not attempted: it names the create that failed, not an account it cannot find.
      expect.stringMatching(/^not attempted: the create of mjones on corp-ldap failed: target\.conflict: /),
    ]);
    expect((await entryOf(w, 'E3'))?.entry?.dn).toBe(taken);
    w.hr = w.hr.filter((p) => p.employeeId !== 'E4');
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    // The keyed John Smith moves to Finance, where the plain DN is free: it goes there plain, its uid kept.
    w.hr[0] = { ...w.hr[0]!, department: 'Finance' };
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    const moved = await entryOf(w, 'E1');
    expect(moved?.entry?.dn).toBe(`cn=John SMITH,ou=Finance,ou=people,${s()}`);
    expect(moved?.entry?.uid).toBe('john.smith');
    expect(await secondPlanEmpty(w)).toEqual([]);
  });
});
