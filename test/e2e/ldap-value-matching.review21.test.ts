import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryOf, openWorld, person, secondPlanEmpty, sync, tearDown, type World } from './ldap-flows-world.js';

/**
 * What slapd holds as the same DN, Roster must too. slapd answers every DN
 * in its own form: an attribute type by its first NAME (`2.5.4.3=` and
 * `commonName=` come back as `cn=`, `userid=` as `uid=`), and a value cased
 * per character by its Unicode tables (`İ` is `i`, `Σ` is `σ` wherever it
 * stands). Each difference was a write, a move or a grant on every plan.
 */
describe('DNs slapd holds as one, with real slapd (review21)', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld(`users:
  base: "ou=people,$S"
  dn: "userid={uid},ou=people,$S"
  key: uid
  attributes: { email: mail, department: departmentNumber }
groups: { base: "ou=groups,$S", objectClass: groupOfNames, names: false, create: false }`, `roles:
  - { id: ist, when: "true", grants: { corp-ldap: ["cn=İstanbul Office,ou=groups,$S", "2.5.4.3=Staff,ou=groups,$S"] } }
`, async (admin, s) => {
      // Made by hand, spelled as the directory's people do: slapd holds `cn=istanbul office` and `cn=İstanbul Office` as one DN.
      await admin.add(`cn=istanbul office,ou=groups,${s}`, { objectClass: ['groupOfNames'], cn: 'istanbul office', member: `cn=admin,${s}` });
      await admin.add(`cn=Staff,ou=groups,${s}`, { objectClass: ['groupOfNames'], cn: 'Staff', member: `cn=admin,${s}` });
    }, undefined, `      seeAlso: '"2.5.4.3=Staff,ou=groups,dc=example,dc=com"'\n`);
  });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('joins, then neither a plan nor a reconcile then a plan finds anything to do', async () => {
    w.hr = [person({ employeeId: 'E1', givenName: 'Ann', familyName: 'Lee' })];
    const r = await sync(w);
    expect(r.result?.errors ?? []).toEqual([]);
    const e = await entryOf(w, 'E1');
    expect(e?.entry?.dn).toBe(`uid=ann.lee,ou=people,${w.slapd.suffix}`);
    expect(e?.entry?.seeAlso).toBe(`cn=Staff,ou=groups,${w.slapd.suffix}`);
    expect(await secondPlanEmpty(w)).toEqual([]);
    await w.engine.reconcile('corp-ldap', { actor: 'test', force: true });
    expect(await secondPlanEmpty(w)).toEqual([]);
    await w.engine.reconcile('corp-ldap', { actor: 'test', force: true });
    expect(await secondPlanEmpty(w)).toEqual([]);
    // An update (a mover) stays where it is: `userid={uid}` names the entry slapd calls `uid=ann.lee`, no rename.
    w.hr[0] = { ...w.hr[0]!, department: 'Sales' };
    const moved = await sync(w);
    expect(moved.result?.errors ?? []).toEqual([]);
    expect(moved.plan.changes.map((c) => `${c.action} ${JSON.stringify(c.after?.attributes)}`)).toEqual(['update {"department":"Sales"}']);
    expect((await entryOf(w, 'E1'))?.entry).toMatchObject({ dn: `uid=ann.lee,ou=people,${w.slapd.suffix}`, departmentNumber: 'Sales' });
    await w.engine.reconcile('corp-ldap', { actor: 'test', force: true });
    expect(await secondPlanEmpty(w)).toEqual([]);
    const { searchEntries } = await w.admin.search(`ou=groups,${w.slapd.suffix}`, { scope: 'one', filter: `(member=uid=ann.lee,ou=people,${w.slapd.suffix})`, attributes: ['cn'] });
    expect(searchEntries.map((g) => g.cn).sort()).toEqual(['Staff', 'istanbul office']);
  });
});
