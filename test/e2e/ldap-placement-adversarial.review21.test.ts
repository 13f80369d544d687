import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/types.js';
import { openEngine } from '../../src/engine/index.js';
import { DAY, entryOf, moveByHand, openWorld, person, sync, tearDown, type World } from './ldap-flows-world.js';

/**
 * users.placement: enforce against a real slapd, the hard cases: a hand move
 * racing an HR move, a record gone stale before apply, a subtree, a DN with a
 * multi-valued RDN, escapes and non-ASCII, a keyed namesake, the delete
 * grace ending while misplaced, and a switch back to keep. The oracle is the
 * directory, and a second reconcile + plan that is empty.
 */
const ROLES = `roles:
  - { id: staff, when: "true", grants: { corp-ldap: [all-staff] } }
`;
const connection = (dn: string, groups = 'groupOfNames') => `users:
  base: "ou=people,$S"
  dn: "${dn}"
  createOUs: true
  key: uid
  attributes: { email: mail, department: departmentNumber }
  placement: enforce
groups: { base: "ou=groups,$S", objectClass: ${groups}, names: true, create: true }
disable: { strategy: move, ou: "ou=disabled,$S" }`;
const summary = (plan: Plan) => plan.changes.map((c) => `${c.action} ${c.identity} ${c.reasons.join(',')}`);

async function reconcileAndPlan(w: World): Promise<Plan> {
  await w.engine.reconcile('corp-ldap', { actor: 'test' });
  return w.engine.plan({ actor: 'test' });
}
async function ou(w: World, rdn: string): Promise<void> {
  await w.admin.add(`${rdn},${w.slapd.suffix}`, { objectClass: ['organizationalUnit'], ou: /^ou=([^,]+)/.exec(rdn)?.[1] ?? '' });
}
const dnOf = async (w: World, id: string) => (await entryOf(w, id))?.entry?.dn;

describe('review21: users.placement enforce, adversarial (uid={uid},ou={department})', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld(connection('uid={uid},ou={department},ou=people,$S'), ROLES);
    w.hr = ['Ann Lee', 'Bob Ray', 'Cat Kim', 'Dan Fox', 'Eve Orr'].map((name, i) => {
      const [givenName, familyName] = name.split(' ') as [string, string];
      return person({ employeeId: `E${i + 1}`, givenName, familyName });
    });
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    await ou(w, 'ou=Elsewhere,ou=people');
    await ou(w, 'ou=Sales,ou=people');
  }, 60_000);
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('moved by hand while HR moves the person: one update, to the OU the new department gives', async () => {
    const s = w.slapd.suffix;
    await moveByHand(w, `uid=ann.lee,ou=Engineering,ou=people,${s}`, `uid=ann.lee,ou=Elsewhere,ou=people,${s}`);
    await w.engine.reconcile('corp-ldap', { actor: 'test' });
    w.hr[0] = { ...w.hr[0]!, department: 'Sales' };
    const r = await sync(w);
    expect(summary(r.plan)).toEqual(['update E1 active,mapping.changed,placement.drift']);
    expect(r.result?.errors).toEqual([]);
    expect(await dnOf(w, 'E1')).toBe(`uid=ann.lee,ou=Sales,ou=people,${s}`);
    expect((await entryOf(w, 'E1'))?.link.placement).toBeUndefined();
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });

  it('moved by hand to the OU HR is about to give it: stays there', async () => {
    const s = w.slapd.suffix;
    await moveByHand(w, `uid=bob.ray,ou=Engineering,ou=people,${s}`, `uid=bob.ray,ou=Sales,ou=people,${s}`);
    await w.engine.reconcile('corp-ldap', { actor: 'test' });
    w.hr[1] = { ...w.hr[1]!, department: 'Sales' };
    expect((await sync(w)).result?.errors).toEqual([]);
    expect(await dnOf(w, 'E2')).toBe(`uid=bob.ray,ou=Sales,ou=people,${s}`);
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });

  it('a record gone stale before apply (moved back by hand, or moved again): the entry ends where it belongs', async () => {
    const s = w.slapd.suffix;
    const cat = `uid=cat.kim,ou=Engineering,ou=people,${s}`;
    await moveByHand(w, cat, `uid=cat.kim,ou=Elsewhere,ou=people,${s}`);
    const plan = await reconcileAndPlan(w);
    expect(summary(plan)).toEqual(['update E3 active,placement.drift']);
    await moveByHand(w, `uid=cat.kim,ou=Elsewhere,ou=people,${s}`, cat);
    expect((await w.engine.apply(plan, { actor: 'test' })).errors).toEqual([]);
    expect(await dnOf(w, 'E3')).toBe(cat);
    expect((await entryOf(w, 'E3'))?.link.placement).toBeUndefined();

    const dan = `uid=dan.fox,ou=Engineering,ou=people,${s}`;
    await moveByHand(w, dan, `uid=dan.fox,ou=Elsewhere,ou=people,${s}`);
    const again = await reconcileAndPlan(w);
    await moveByHand(w, `uid=dan.fox,ou=Elsewhere,ou=people,${s}`, `uid=dan.fox,ou=Sales,ou=people,${s}`);
    expect((await w.engine.apply(again, { actor: 'test' })).errors).toEqual([]);
    expect(await dnOf(w, 'E4')).toBe(dan);
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });

  it('an entry with a child entry moved by hand goes back with its subtree', async () => {
    const s = w.slapd.suffix;
    const home = `uid=eve.orr,ou=Engineering,ou=people,${s}`;
    await w.admin.add(`cn=device1,${home}`, { objectClass: ['device'], cn: 'device1' });
    await moveByHand(w, home, `uid=eve.orr,ou=Elsewhere,ou=people,${s}`);
    const plan = await reconcileAndPlan(w);
    expect(summary(plan)).toEqual(['update E5 active,placement.drift']);
    expect((await w.engine.apply(plan, { actor: 'test' })).errors).toEqual([]);
    expect(await dnOf(w, 'E5')).toBe(home);
    const { searchEntries } = await w.admin.search(s, { scope: 'sub', filter: '(cn=device1)', attributes: ['1.1'] });
    expect(searchEntries.map((e) => e.dn)).toEqual([`cn=device1,${home}`]);
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });

  it('switched to keep with a placement record stored: the next plan (before any reconcile) leaves the entry where it is', async () => {
    const s = w.slapd.suffix;
    const away = `uid=eve.orr,ou=Elsewhere,ou=people,${s}`;
    await moveByHand(w, `uid=eve.orr,ou=Engineering,ou=people,${s}`, away);
    await w.engine.reconcile('corp-ldap', { actor: 'test' });
    expect((await entryOf(w, 'E5'))?.link.placement?.at).toBe(away);
    const file = join(w.dir, 'roster.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('placement: enforce', 'placement: keep'));
    await w.engine.close();
    w.engine = await openEngine(file, { now: () => w.clock.now });
    const r = await sync(w);
    expect(summary(r.plan)).toEqual([]);
    expect(await dnOf(w, 'E5')).toBe(away);
    // The next pass under keep forgets the record.
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
    expect((await entryOf(w, 'E5'))?.link.placement).toBeUndefined();
    expect(await dnOf(w, 'E5')).toBe(away);
  });
});

describe('review21: users.placement enforce, a multi-valued RDN with escapes and non-ASCII (cn={cn}+uid={uid})', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld(connection('cn={cn}+uid={uid},ou={department},ou=people,$S', 'groupOfUniqueNames'), ROLES, undefined, 'identity.employeeId.lowerAscii()');
    w.hr = [
      person({ employeeId: 'E1', givenName: 'John', familyName: 'Smith, Jr' }),
      person({ employeeId: 'E2', givenName: 'Zoë', familyName: '李', email: 'zoe.li@example.com' }),
    ];
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    await ou(w, 'ou=Elsewhere,ou=people');
  }, 60_000);
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('in place reads in place; moved by hand goes back, uniqueMember following; then nothing', async () => {
    const s = w.slapd.suffix;
    const homes = [`cn=John Smith\\2C Jr+uid=e1,ou=Engineering,ou=people,${s}`, `cn=Zoë 李+uid=e2,ou=Engineering,ou=people,${s}`];
    expect([await dnOf(w, 'E1'), await dnOf(w, 'E2')]).toEqual(homes);
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
    for (const dn of homes) await moveByHand(w, dn, dn.replace('ou=Engineering', 'ou=Elsewhere'));
    // refint follows the hand moves after slapd has answered them: until it has, the group names the old DNs and a read sees no membership.
    const staff = async () => String((await w.admin.search(`cn=all-staff,ou=groups,${s}`, { scope: 'base', attributes: ['uniqueMember'] })).searchEntries[0]?.uniqueMember);
    await expect.poll(async () => (await staff()).split('ou=Elsewhere').length - 1, { timeout: 5000, interval: 50 }).toBe(2);
    const plan = await reconcileAndPlan(w);
    expect(summary(plan)).toEqual(['update E1 active,placement.drift', 'update E2 active,placement.drift']);
    expect((await w.engine.apply(plan, { actor: 'test' })).errors).toEqual([]);
    expect([await dnOf(w, 'E1'), await dnOf(w, 'E2')]).toEqual(homes);
    const { searchEntries } = await w.admin.search(`cn=all-staff,ou=groups,${s}`, { scope: 'base', attributes: ['uniqueMember'] });
    expect(String(searchEntries[0]?.uniqueMember)).not.toContain('Elsewhere');
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });
});

describe('review21: users.placement enforce, a keyed entry whose namesake leaves (cn={cn})', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld(connection('cn={cn},ou={department},ou=people,$S'), ROLES, undefined, 'identity.employeeId.lowerAscii()');
    w.hr = [person({ employeeId: 'E1', givenName: 'John', familyName: 'Smith' }), person({ employeeId: 'E2', givenName: 'John', familyName: 'Smith', department: 'Sales' })];
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    // A mover into the namesake's OU takes the keyed DN.
    w.hr[1] = { ...w.hr[1]!, department: 'Engineering' };
    expect((await sync(w)).result?.errors ?? []).toEqual([]);
    await ou(w, 'ou=Elsewhere,ou=people');
  }, 60_000);
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('the keyed entry stays keyed when the namesake leaves and is deleted; the namesake is deleted from wherever it was moved', async () => {
    const s = w.slapd.suffix;
    const keyed = `cn=John Smith+uid=e2,ou=Engineering,ou=people,${s}`;
    expect(await dnOf(w, 'E2')).toBe(keyed);
    w.clock.now = new Date('2026-03-10T09:00:00Z');
    w.hr[0] = { ...w.hr[0]!, endDate: '2026-03-09', status: 'terminated' };
    expect((await sync(w)).result?.errors).toEqual([]);
    for (let pass = 0; pass < 2; pass += 1) {
      expect(summary(await reconcileAndPlan(w))).toEqual([]);
      expect(await dnOf(w, 'E2')).toBe(keyed);
    }
    await ou(w, 'ou=sub,ou=disabled');
    await moveByHand(w, `cn=John Smith,ou=disabled,${s}`, `cn=John Smith,ou=sub,ou=disabled,${s}`);
    await w.engine.reconcile('corp-ldap', { actor: 'test' });
    expect((await entryOf(w, 'E1'))?.link.placement?.belongs).toBe(`cn=John Smith,ou=disabled,${s}`);
    w.clock.now = new Date(w.clock.now.getTime() + 31 * DAY);
    const gone = await sync(w);
    expect(summary(gone.plan)).toEqual(['delete E1 leaver.grace_expired,leaver.terminated']);
    expect(gone.result?.errors).toEqual([]);
    expect((await w.admin.search(s, { scope: 'sub', filter: '(uid=e1)', attributes: ['1.1'] })).searchEntries).toEqual([]);
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
    expect(await dnOf(w, 'E2')).toBe(keyed);
  });
});
