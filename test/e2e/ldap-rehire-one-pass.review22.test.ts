import { describe, expect, it } from 'vitest';
import { describeChange } from '../../src/cli/plan-format.js';
import { bindsAt } from '../support/ldap-login.js';
import { person } from './helpers.js';
import { initialOf, ldapRehireWorld } from './ldap-rehire-world.js';

/**
 * Review 22: a termination and a rehire read in one HR pass after the new
 * start (Lena left on the 10th, back from the 15th, the file read on the
 * 20th): her entry was never disabled, so no rehire's enable wrote the
 * mapped password again, and she kept the one of her former employment.
 * Now the plan gives her enabled entry an enable that writes it (reason
 * rehire.credentials), once. Those whose employment goes on keep their own:
 * Ada, active all along; Leo, back from a leave; Tom, whose termination HR
 * took back. examples/ldap with a mapped password.
 */
describe('review 22: ldap, a rehire read in one pass gets the mapped password; no one else does', () => {
  const lena = person({ employeeId: 'OP1', givenName: 'Lena', familyName: 'Onepass', department: 'Operations' });
  const ada = person({ employeeId: 'OP2', givenName: 'Ada', familyName: 'Active', department: 'Operations' });
  const leo = person({ employeeId: 'OP3', givenName: 'Leo', familyName: 'Leave', department: 'Operations' });
  const tom = person({ employeeId: 'OP4', givenName: 'Tom', familyName: 'Undone', department: 'Operations' });
  const everyone = [lena, ada, leo, tom];
  const uids = { OP1: 'lena.onepass', OP2: 'ada.active', OP3: 'leo.leave', OP4: 'tom.undone' } as const;

  const world = ldapRehireWorld({ dirPrefix: 'roster-one-pass-', start: new Date('2026-03-01T09:00:00Z'), people: everyone });
  const { sync, entry, setOwnPassword } = world;
  const own = (id: string) => `Chosen-By-${id}-1`;

  it('only Lena\'s entry gets the mapped password again, with an enable that says why; the next plan has nothing to do', async () => {
    const { slapd, engine } = world;
    await sync('2026-03-01T09:00:00Z', everyone);
    for (const [id, uid] of Object.entries(uids)) {
      const { dn } = await entry(uid);
      await setOwnPassword(dn, own(id));
    }
    // The 5th: Leo on leave, Tom's termination (both disabled). Lena and Ada unchanged.
    await sync('2026-03-05T09:00:00Z', [lena, ada, { ...leo, status: 'leave' }, { ...tom, endDate: '2026-03-04', status: 'terminated' }]);
    expect((await entry(uids.OP3)).dn).toMatch(/ou=disabled/);
    expect((await entry(uids.OP4)).dn).toMatch(/ou=disabled/);

    // The 20th: Lena left on the 10th and is back from the 15th (one row); Leo back from leave; Tom's termination taken back.
    const back = await sync('2026-03-20T09:00:00Z', [{ ...lena, startDate: '2026-03-15', endDate: '2026-03-10' }, ada, leo, tom]);
    const enables = back.plan.changes.filter((c) => c.action === 'enable');
    expect(enables.map((c) => `${c.identity}:${c.reasons.join('+')}`).sort()).toEqual(['OP1:rehire+rehire.credentials', 'OP3:active', 'OP4:active']);
    const lenaEnable = enables.find((c) => c.identity === 'OP1')!;
    expect(describeChange(lenaEnable)).toBe(`${lenaEnable.before?.accountId} new credentials: new employment since 2026-03-15, the account's are from the former one`);
    expect(JSON.stringify(back.plan)).not.toContain(initialOf('OP1'));

    const lenaNow = await entry(uids.OP1);
    expect(lenaNow.password).not.toEqual([own('OP1')]);
    expect(await bindsAt(slapd.url, lenaNow.dn, own('OP1'))).toBe(false);
    expect(await bindsAt(slapd.url, lenaNow.dn, initialOf('OP1'))).toBe(true);
    for (const id of ['OP2', 'OP3', 'OP4'] as const) {
      const kept = await entry(uids[id]);
      expect(kept.dn).not.toMatch(/ou=disabled/);
      expect(kept.password).toEqual([own(id)]);
      expect(await bindsAt(slapd.url, kept.dn, own(id))).toBe(true);
    }
    const applied = (await engine.store.audit.list({ identity: 'OP1', kind: 'change.applied' })).filter((e) => (e.data as { action?: string }).action === 'enable');
    expect(applied).toHaveLength(1);
    expect(applied[0]!.data).toMatchObject({ newPassword: true });
    expect(JSON.stringify(await engine.store.audit.list({ identity: 'OP1' }))).not.toContain(initialOf('OP1'));

    // Lena changes it; later plans leave it alone.
    await setOwnPassword(lenaNow.dn, 'Chosen-Again-2');
    const next = await sync('2026-03-21T09:00:00Z', [{ ...lena, startDate: '2026-03-15', endDate: '2026-03-10' }, ada, leo, tom]);
    expect(next.plan.changes).toEqual([]);
    expect((await entry(uids.OP1)).password).toEqual(['Chosen-Again-2']);
  });
});
