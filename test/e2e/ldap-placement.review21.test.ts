import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeChange } from '../../src/cli/plan-format.js';
import type { Plan } from '../../src/core/types.js';
import { entryOf, groupValues, moveByHand, openWorld, person, sync, tearDown, type World } from './ldap-flows-world.js';

/**
 * users.placement: an entry an administrator moves by hand to another OU
 * below users.base. `keep` leaves it there; `enforce` has reconcile record
 * it and the next plan move it back (groups following), a disabled entry
 * back into the disabled OU, never through the active OU.
 */
const connection = (placement: string) => `users:
  base: "ou=people,$S"
  dn: "uid={uid},ou={department},ou=people,$S"
  createOUs: true
  key: uid
  attributes: { email: mail, department: departmentNumber }
  placement: ${placement}
groups: { base: "ou=groups,$S", objectClass: groupOfNames, names: true, create: true }
disable: { strategy: move, ou: "ou=disabled,$S" }`;
const ROLES = `roles:
  - { id: staff, when: "true", grants: { corp-ldap: [all-staff] } }
  - { id: eng, when: 'identity.department == "Engineering"', grants: { corp-ldap: [eng] } }
`;

async function reconcileAndPlan(w: World): Promise<Plan> {
  const report = await w.engine.reconcile('corp-ldap', { actor: 'test' });
  expect(report.plan.changes).toEqual([]);
  return w.engine.plan({ actor: 'test' });
}

const summary = (plan: Plan) => plan.changes.map((c) => `${c.action} ${c.identity} ${c.reasons.join(',')}`);

async function ou(w: World, dn: string): Promise<void> {
  const name = /^ou=([^,]+)/.exec(dn)?.[1] ?? '';
  await w.admin.add(`${dn},${w.slapd.suffix}`, { objectClass: ['organizationalUnit'], ou: name });
}

async function joiners(w: World): Promise<void> {
  w.hr = [person({ employeeId: 'E1', givenName: 'Ann', familyName: 'Lee' }), person({ employeeId: 'E2', givenName: 'Bob', familyName: 'Ray' })];
  const r = await sync(w);
  expect(r.result?.errors ?? []).toEqual([]);
  expect((await entryOf(w, 'E1'))?.entry?.dn).toBe(`uid=ann.lee,ou=Engineering,ou=people,${w.slapd.suffix}`);
  await ou(w, 'ou=Elsewhere,ou=people');
}

describe('review21: users.placement keep (the default behaviour)', () => {
  let w: World;
  beforeAll(async () => { w = await openWorld(connection('keep'), ROLES); });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('an entry moved by hand to another OU under the base stays there, and plans stay empty', async () => {
    await joiners(w);
    const s = w.slapd.suffix;
    await moveByHand(w, `uid=ann.lee,ou=Engineering,ou=people,${s}`, `uid=ann.lee,ou=Elsewhere,ou=people,${s}`);
    const plan = await reconcileAndPlan(w);
    expect(summary(plan)).toEqual([]);
    const e = await entryOf(w, 'E1');
    expect(e?.entry?.dn).toBe(`uid=ann.lee,ou=Elsewhere,ou=people,${s}`);
    expect(e?.link.placement).toBeUndefined();
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });
});

describe('review21: users.placement enforce', () => {
  let w: World;
  beforeAll(async () => { w = await openWorld(connection('enforce'), ROLES); });
  afterAll(() => tearDown({ engine: w?.engine, client: w?.admin, server: w?.slapd, dirs: [w?.dir] }));

  it('reconcile + plan show the move back, apply makes it with the groups, a second plan is empty', async () => {
    await joiners(w);
    const s = w.slapd.suffix;
    const home = `uid=ann.lee,ou=Engineering,ou=people,${s}`;
    const away = `uid=ann.lee,ou=Elsewhere,ou=people,${s}`;
    await moveByHand(w, home, away);
    // refint followed the hand move (slapd applies it after answering the modify DN): the groups name the entry where it is now.
    await expect.poll(() => groupValues(w, 'eng', 'member'), { timeout: 5000, interval: 50 }).toContain(away.toLowerCase());
    const plan = await reconcileAndPlan(w);
    expect(summary(plan)).toEqual(['update E1 active,placement.drift']);
    const [change] = plan.changes;
    expect(change?.before?.placement?.toLowerCase()).toBe(away.toLowerCase());
    expect(change?.after?.placement?.toLowerCase()).toBe(home.toLowerCase());
    // The plan line says the part that differs (the table cuts long lines); --json and explain keep both DNs whole.
    expect(describeChange(change!).toLowerCase()).toBe('moved back: ou=elsewhere → ou=engineering (placement drift)');
    expect((await entryOf(w, 'E1'))?.link.placement?.at.toLowerCase()).toBe(away.toLowerCase());
    expect((await w.engine.explain('E1')).audit.filter((a) => a.kind === 'account.misplaced').map((a) => a.reasons)).toEqual([['placement.drift']]);

    const result = await w.engine.apply(plan, { actor: 'test' });
    expect(result.errors).toEqual([]);
    const e = await entryOf(w, 'E1');
    expect(e?.entry?.dn).toBe(home);
    expect(e?.link.placement).toBeUndefined();
    expect(e?.link.entitlements).toEqual(['all-staff', 'eng']);
    for (const group of ['all-staff', 'eng']) {
      const members = await groupValues(w, group, 'member');
      expect(members).toContain(home.toLowerCase());
      expect(members.filter((m) => m.includes('elsewhere'))).toEqual([]);
    }
    const applied = (await w.engine.explain('E1')).audit.filter((a) => a.kind === 'change.applied').at(-1);
    expect(applied?.reasons).toContain('placement.drift');
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });

  it('an entry respelled only in case where it belongs is not moved', async () => {
    const s = w.slapd.suffix;
    // slapd keeps a parent's own spelling; the RDN's is the one given (uid is caseIgnoreMatch: one value, one entry).
    // ldapmodrdn without -r keeps the old RDN value: the key stays ann.lee (a key respelled is a rename of its own).
    execFileSync('ldapmodrdn', ['-x', '-H', w.slapd.url, '-D', w.slapd.bindDN, '-w', w.slapd.password, `uid=ann.lee,ou=Engineering,ou=people,${s}`, 'uid=ANN.LEE']);
    const e = await entryOf(w, 'E1');
    expect(e?.entry?.uid).toBe('ann.lee');
    expect(e?.entry?.dn).toBe(`uid=ANN.LEE,ou=Engineering,ou=people,${s}`);
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
    expect((await entryOf(w, 'E1'))?.entry?.dn).toBe(`uid=ANN.LEE,ou=Engineering,ou=people,${s}`);
  });

  it('a leaver moved out of the disabled OU by hand goes back there with its disable, never to the active OU', async () => {
    const s = w.slapd.suffix;
    w.clock.now = new Date('2026-03-10T09:00:00Z');
    w.hr[1] = { ...w.hr[1]!, endDate: '2026-03-09', status: 'terminated' };
    const left = await sync(w);
    expect(left.result?.errors ?? []).toEqual([]);
    const disabled = `uid=bob.ray,ou=disabled,${s}`;
    expect((await entryOf(w, 'E2'))?.entry?.dn).toBe(disabled);
    await moveByHand(w, disabled, `uid=bob.ray,ou=Elsewhere,ou=people,${s}`);
    const plan = await reconcileAndPlan(w);
    // Read outside the disabled OU it is enabled: the disable moves it back; no move to ou=Engineering first.
    expect(plan.changes.filter((c) => c.identity === 'E2').map((c) => c.action)).toEqual(['disable']);
    expect((await w.engine.apply(plan, { actor: 'test' })).errors).toEqual([]);
    const e = await entryOf(w, 'E2');
    expect(e?.entry?.dn).toBe(disabled);
    expect(e?.link.placement).toBeUndefined();
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });

  it('a disabled entry moved elsewhere inside the disabled OU goes back to the disabled OU itself', async () => {
    const s = w.slapd.suffix;
    await w.admin.add(`ou=sub,ou=disabled,${s}`, { objectClass: ['organizationalUnit'], ou: 'sub' });
    const disabled = `uid=bob.ray,ou=disabled,${s}`;
    await moveByHand(w, disabled, `uid=bob.ray,ou=sub,ou=disabled,${s}`);
    const plan = await reconcileAndPlan(w);
    expect(summary(plan)).toEqual(['update E2 leaver.terminated,leaver.revoke_all,placement.drift']);
    expect(plan.changes[0]?.after?.placement?.toLowerCase()).toBe(disabled.toLowerCase());
    expect((await w.engine.apply(plan, { actor: 'test' })).errors).toEqual([]);
    const e = await entryOf(w, 'E2');
    expect(e?.entry?.dn).toBe(disabled);
    expect(e?.link.enabled).toBe(false);
    expect(summary(await reconcileAndPlan(w))).toEqual([]);
  });
});
