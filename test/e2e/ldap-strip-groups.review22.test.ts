import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryOf, openWorld, person, sync, tearDown, type World } from './ldap-flows-world.js';

/**
 * review22: docs/directories.md, "Disable strategies": with `strip-groups`
 * "the groups are kept on Roster's side, not in the directory" while the
 * account is disabled, and the enable gives them back. The marker means
 * nothing to slapd (the entry still binds), so its groups are the only access
 * it has: a grant planned while it is disabled (a suspended person moved to
 * another department, a future hire made a week before the start) must not
 * put it in a group before the enable. And a `roster reconcile` pass while it
 * is stripped keeps the link's groups, so the enable still restores them.
 */
describe('strip-groups against slapd: a disabled entry holds no group until its enable', () => {
  let w: World;
  const s = () => w.slapd.suffix;
  beforeAll(async () => {
    w = await openWorld(`users:
  base: "ou=people,$S"
  dn: "uid={uid},ou=people,$S"
  key: uid
  attributes: { email: mail, department: departmentNumber }
groups: { base: "ou=groups,$S", names: true, create: true }
disable: { strategy: strip-groups, attribute: description, value: DISABLED }`, `roles:
  - { id: staff, when: "true", grants: { corp-ldap: [all-staff] } }
  - { id: eng, when: 'identity.department == "Engineering"', grants: { corp-ldap: [eng] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { corp-ldap: [sales] } }
`);
  });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  /** The cn of every group under ou=groups whose member is the entry (by its DN now), sorted. */
  async function groupsHolding(id: string): Promise<string[]> {
    const dn = (await entryOf(w, id))?.entry?.dn;
    if (dn === undefined) throw new Error(`${id} has no entry`);
    const { searchEntries } = await w.admin.search(`ou=groups,${s()}`, { scope: 'one', filter: `(member=${dn})`, attributes: ['cn'] });
    return searchEntries.map((e) => String(e.cn)).sort();
  }
  const changes = (r: Awaited<ReturnType<typeof sync>>, id?: string) => r.plan.changes.filter((c) => id === undefined || c.identity === id).map((c) => [c.action, c.after?.entitlement ?? c.before?.entitlement].filter(Boolean).join(':')).sort();

  it('a suspended person moved to Sales gets no group while disabled; reconcile keeps the link\'s groups; the enable restores them', async () => {
    w.hr = [person({ employeeId: 'E1', givenName: 'Ann', familyName: 'Lee', department: 'Engineering' })];
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    expect(await groupsHolding('E1')).toEqual(['all-staff', 'eng']);

    // The start date moves into the future: the account is disabled, its groups stripped, the link keeps them.
    w.hr[0] = { ...w.hr[0]!, startDate: '2026-04-20' };
    const suspended = await sync(w);
    expect(changes(suspended)).toEqual(['disable']);
    expect(await groupsHolding('E1')).toEqual([]);

    // A reconcile pass while stripped does not make the link forget them (the docs said it did).
    await w.engine.reconcile('corp-ldap', { actor: 'test' });
    expect((await entryOf(w, 'E1'))?.link).toMatchObject({ enabled: false, entitlements: ['all-staff', 'eng'] });

    // Moved to Sales while suspended: the grant is recorded, not written; the revoke leaves the link.
    w.hr[0] = { ...w.hr[0]!, department: 'Sales' };
    const moved = await sync(w);
    expect(moved.result?.errors ?? []).toEqual([]);
    expect(changes(moved)).toEqual(['grant:sales', 'revoke:eng', 'update']);
    expect(await groupsHolding('E1')).toEqual([]);
    expect((await entryOf(w, 'E1'))?.link?.entitlements).toEqual(['all-staff', 'sales']);
    await w.engine.reconcile('corp-ldap', { actor: 'test' });
    expect((await entryOf(w, 'E1'))?.link?.entitlements).toEqual(['all-staff', 'sales']);
    expect(changes(await sync(w))).toEqual([]);
    expect(await groupsHolding('E1')).toEqual([]);

    // The start date comes: the enable alone gives back every group the link lists.
    w.clock.now = new Date('2026-04-20T09:00:00Z');
    const back = await sync(w);
    expect(back.result?.errors ?? []).toEqual([]);
    expect(changes(back)).toEqual(['enable']);
    expect(await groupsHolding('E1')).toEqual(['all-staff', 'sales']);
    expect((await entryOf(w, 'E1'))?.link).toMatchObject({ enabled: true, entitlements: ['all-staff', 'sales'] });
    expect(changes(await sync(w))).toEqual([]);
  });

  it('a future hire made disabled before the start is in no group until the first day; then in all of them', async () => {
    w.clock.now = new Date('2026-04-20T09:00:00Z');
    w.hr.push(person({ employeeId: 'E2', givenName: 'Bo', familyName: 'Ng', department: 'Engineering', startDate: '2026-04-24' }));
    const made = await sync(w);
    expect(made.result?.errors ?? []).toEqual([]);
    expect(changes(made, 'E2')).toEqual(['create', 'grant:all-staff', 'grant:eng']);
    expect((await entryOf(w, 'E2'))?.link).toMatchObject({ enabled: false, entitlements: ['all-staff', 'eng'] });
    expect(await groupsHolding('E2')).toEqual([]);
    expect(changes(await sync(w))).toEqual([]);

    w.clock.now = new Date('2026-04-24T09:00:00Z');
    const first = await sync(w);
    expect(first.result?.errors ?? []).toEqual([]);
    expect(changes(first, 'E2')).toEqual(['enable']);
    expect(await groupsHolding('E2')).toEqual(['all-staff', 'eng']);
    expect(changes(await sync(w))).toEqual([]);
  });
});
