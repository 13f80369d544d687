import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openEngine } from '../../src/engine/index.js';
import { createLogger } from '../../src/core/log.js';
import { adProjectDir } from './directory-config.js';
import { adRehireWorld, adRehireYaml, OWN, rehireStaff } from './ad-rehire-world.js';
import { csv, person, type Person } from './helpers.js';

/** Every initial password the AD connector generates in this file, to bind with it and to look for it in every output. */
const generated = vi.hoisted(() => [] as string[]);
vi.mock('../../src/connectors/ad/password.js', async (importOriginal) =>
  (await import('./ad-password-record.js')).recordingPasswords(await importOriginal(), generated));

/**
 * Review 14: a leaver rehired within the grace period gets their old
 * user back (same objectGUID), enabled, but not their old password: the
 * enable writes a new random initial password (unicodePwd, pwdLastSet 0)
 * in the same modify, so the account is never enabled with the password of
 * the former employment. An account that comes back from a leave of
 * absence keeps its password (users.passwordOnEnable: rehire, the default).
 */
describe('AD rehire: a new initial password, never the former employment\'s (review 14)', () => {
  const world = adRehireWorld({ dirPrefix: 'roster-ad-rehire-', samPrefix: 'rh-', start: new Date('2026-03-02T09:00:00Z') });
  const { sync, entry, bind, choosePassword, logs } = world;
  const staff = rehireStaff();
  const groups = (value: unknown): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((dn) => String(dn).split(',')[0] ?? '').sort());

  it('joiner, leaver, rehire within the grace: enabled, the old password no longer binds, the new one must be changed; groups back', async () => {
    const { engine } = world;
    await sync(staff);
    const joined = { E1: await entry('E1'), E2: await entry('E2') };
    for (const id of ['E1', 'E2'] as const) {
      expect(joined[id].userAccountControl).toBe('512');
      await choosePassword(joined[id].dn, OWN[id]);
      expect(await bind(joined[id].dn, OWN[id])).toBe('ok');
    }
    expect(groups(joined.E1.memberOf)).toEqual(['CN=All Staff', 'CN=Engineering']);
    const createdPasswords = generated.length;
    expect(createdPasswords).toBeGreaterThanOrEqual(2);

    // Ada leaves; Bob goes on a leave of absence.
    world.now = new Date('2026-06-01T09:00:00Z');
    await sync([{ ...staff[0]!, endDate: '2026-05-31', status: 'terminated' }, { ...staff[1]!, status: 'leave' }]);
    for (const id of ['E1', 'E2'] as const) {
      const disabled = await entry(id);
      expect(disabled.userAccountControl).toBe('514');
      expect(groups(disabled.memberOf)).toEqual([]);
    }

    // Ada is rehired three weeks later, within the 30-day grace; Bob comes back from leave.
    world.now = new Date('2026-06-22T09:00:00Z');
    const back = await sync([{ ...staff[0]!, startDate: '2026-06-22', endDate: '', status: 'active' }, staff[1]!]);
    const enables = back.plan.changes.filter((c) => c.action === 'enable');
    expect(enables.map((c) => `${c.identity}:${c.reasons.join('+')}`).sort()).toEqual(['E1:rehire', 'E2:active']);

    const ada = await entry('E1');
    expect(ada.objectGUID).toEqual(joined.E1.objectGUID);
    expect(ada.userAccountControl).toBe('512');
    expect(ada.pwdLastSet).toBe('0');
    // The password of the former employment is gone...
    expect(await bind(ada.dn, OWN.E1)).toBe('52e');
    // ...and the one the enable set is the account's, waiting to be changed at the first logon (AD's 773).
    const fresh = generated.slice(createdPasswords);
    expect(fresh).toHaveLength(1);
    expect(await bind(ada.dn, fresh[0]!)).toBe('773');
    expect(groups(ada.memberOf)).toEqual(['CN=All Staff', 'CN=Engineering']);

    // Bob's leave ended: his account comes back as he left it, with his own password (passwordOnEnable: rehire).
    const bob = await entry('E2');
    expect(bob.userAccountControl).toBe('512');
    expect(await bind(bob.dn, OWN.E2)).toBe('ok');
    expect(groups(bob.memberOf)).toEqual(['CN=All Staff', 'CN=Engineering']);

    // The audit log says the rehire's enable set a new password; nothing anywhere holds one.
    const audit = await engine.store.audit.list({});
    const data = (e: (typeof audit)[number]) => (e.data ?? {}) as { action?: string; newPassword?: boolean };
    const enabled = audit.filter((e) => e.kind === 'change.applied' && data(e).action === 'enable');
    expect(enabled.map((e) => `${e.identity}:${String(data(e).newPassword ?? false)}`).sort()).toEqual(['E1:true', 'E2:false']);
    const everything = JSON.stringify({ plan: back.plan, result: back.result, audit, links: await engine.store.accounts.listAll() }) + logs.join('\n');
    expect(logs.some((line) => line.includes('new initial password'))).toBe(true);
    for (const password of generated) {
      expect(everything).not.toContain(password);
      expect(everything).not.toContain(Buffer.from(`"${password}"`, 'utf16le').toString('base64'));
    }

    // Applied once: a plan after it has nothing to do, and a retry of the enable would not set another password.
    expect((await engine.plan()).changes).toEqual([]);
  }, 180_000);

  it('passwordOnEnable: return also resets at the end of a leave; a leaver an admin moved to a Disabled OU comes back enabled, with its groups', async () => {
    const { samba, reader } = world;
    const other = adProjectDir('roster-ad-rehire-return-', samba);
    const yaml = adRehireYaml(samba, 'rr-').replace('upnSuffix: example.test', 'upnSuffix: example.test, passwordOnEnable: return');
    expect(yaml).toContain('passwordOnEnable: return');
    writeFileSync(join(other, 'roster.yaml'), yaml);
    let at = new Date('2026-03-02T09:00:00Z');
    const second = await openEngine(join(other, 'roster.yaml'), { now: () => at, log: createLogger('debug', (line) => logs.push(line)) });
    try {
      const hr = [person({ employeeId: 'E3', givenName: 'Cy', familyName: 'Clark' }), person({ employeeId: 'E4', givenName: 'Di', familyName: 'Dunn' })];
      const run = async (people: readonly Person[]) => {
        writeFileSync(join(other, 'employees.csv'), csv(people));
        const result = await second.sync({ actor: 'test' });
        expect(result.result?.errors ?? []).toEqual([]);
        return result;
      };
      await run(hr);
      for (const id of ['E3', 'E4']) await choosePassword((await entry(id)).dn, `Own-Old-Passw0rd-${id}!`);
      at = new Date('2026-06-01T09:00:00Z');
      await run([{ ...hr[0]!, status: 'leave' }, { ...hr[1]!, endDate: '2026-05-31', status: 'terminated' }]);
      // The helpdesk's habit: a disabled leaver goes to a Disabled OU (below the base, so Roster still reads it).
      await reader.add(`OU=Disabled,${samba.rosterOU}`, { objectClass: ['top', 'organizationalUnit'], ou: 'Disabled' });
      const left = await entry('E4');
      await reader.modifyDN(left.dn, `CN=Di Dunn,OU=Disabled,${samba.rosterOU}`);
      at = new Date('2026-06-15T09:00:00Z');
      await run([hr[0]!, { ...hr[1]!, startDate: '2026-06-15', endDate: '', status: 'active' }]);
      const cy = await entry('E3');
      expect(cy.userAccountControl).toBe('512');
      expect(cy.pwdLastSet).toBe('0');
      expect(await bind(cy.dn, 'Own-Old-Passw0rd-E3!')).toBe('52e');
      const di = await entry('E4');
      expect(di.objectGUID).toEqual(left.objectGUID);
      expect(di.userAccountControl).toBe('512');
      expect(di.pwdLastSet).toBe('0');
      expect(await bind(di.dn, 'Own-Old-Passw0rd-E4!')).toBe('52e');
      expect(groups(di.memberOf)).toEqual(['CN=All Staff', 'CN=Engineering']);
      // Where the rehire's account is now:
      expect(di.dn).toBe(`CN=Di Dunn,OU=People,${samba.rosterOU}`);
    } finally {
      await second.close();
    }
  }, 180_000);
});
