import { describe, expect, it, vi } from 'vitest';
import { describeChange } from '../../src/cli/plan-format.js';
import { adRehireWorld, OWN, rehireStaff } from './ad-rehire-world.js';

/** Every initial password the AD connector generates in this file, to bind with it and to look for it in every output. */
const generated = vi.hoisted(() => [] as string[]);
vi.mock('../../src/connectors/ad/password.js', async (importOriginal) =>
  (await import('./ad-password-record.js')).recordingPasswords(await importOriginal(), generated));

/**
 * Review 22: Ada left on the 10th and was rehired from the 15th; the HR file
 * that says both is read on the 20th (one row: the old end date, the new
 * start). Her account was never disabled, so no rehire's enable came: she
 * kept the former employment's password. Now the lifecycle records the
 * rehire and the plan gives her enabled account an enable that sets a new
 * random initial password (unicodePwd, pwdLastSet 0) in one modify; the
 * next plan has nothing to do. Bob, active all along, keeps his.
 */
describe('review 22: AD, a termination and a rehire read in one pass get new credentials', () => {
  const world = adRehireWorld({ dirPrefix: 'roster-ad-rehire-one-pass-', samPrefix: 'op-', start: new Date('2026-03-02T09:00:00Z'), notHeld: true });
  const { sync, entry, bind, choosePassword, logs } = world;
  const staff = rehireStaff();

  it('the account in use gets a new initial password to change at next logon; the old one no longer binds; once', async () => {
    const { engine } = world;
    await sync(staff);
    const joined = { E1: await entry('E1'), E2: await entry('E2') };
    for (const id of ['E1', 'E2'] as const) {
      await choosePassword(joined[id].dn, OWN[id]);
      expect(await bind(joined[id].dn, OWN[id])).toBe('ok');
    }
    const createdPasswords = generated.length;

    // The 20th: left on the 10th, back from the 15th, in one row. Bob's row unchanged.
    world.now = new Date('2026-03-20T09:00:00Z');
    const back = await sync([{ ...staff[0]!, startDate: '2026-03-15', endDate: '2026-03-10', status: 'active' }, staff[1]!]);
    const enables = back.plan.changes.filter((c) => c.action === 'enable');
    expect(enables.map((c) => `${c.identity}:${c.reasons.join('+')}`)).toEqual(['E1:rehire+rehire.credentials']);
    expect(describeChange(enables[0]!)).toContain('new credentials: new employment since 2026-03-15, the account\'s are from the former one');
    expect(back.plan.changes.filter((c) => c.action === 'disable')).toEqual([]);

    const ada = await entry('E1');
    expect(ada.objectGUID).toEqual(joined.E1.objectGUID);
    expect(ada.userAccountControl).toBe('512');
    expect(ada.pwdLastSet).toBe('0');
    expect(await bind(ada.dn, OWN.E1)).toBe('52e');
    const fresh = generated.slice(createdPasswords);
    expect(fresh).toHaveLength(1);
    expect(await bind(ada.dn, fresh[0]!)).toBe('773');

    // Bob, active all along, keeps his own password.
    expect(await bind((await entry('E2')).dn, OWN.E2)).toBe('ok');

    const audit = await engine.store.audit.list({ identity: 'E1', kind: 'change.applied' });
    const enable = audit.find((e) => (e.data as { action?: string }).action === 'enable');
    expect(enable?.data).toMatchObject({ newPassword: true });
    const explained = await engine.explain('E1');
    expect(explained.timeline.map((e) => e.kind)).toContain('rehire');
    expect(explained.accounts[0]?.linked?.credentialsSetAt).toBe('2026-03-20T09:00:00.000Z');
    const everything = JSON.stringify({ plan: back.plan, result: back.result, audit, links: await engine.store.accounts.listAll() }) + logs.join('\n');
    for (const password of generated) expect(everything).not.toContain(password);

    // Applied once: the next plans have nothing to do, and no other password is set.
    world.now = new Date('2026-03-21T09:00:00Z');
    expect((await engine.plan()).changes).toEqual([]);
    await sync([{ ...staff[0]!, startDate: '2026-03-15', endDate: '2026-03-10', status: 'active' }, staff[1]!]);
    expect(generated).toHaveLength(createdPasswords + 1);
  }, 180_000);
});
