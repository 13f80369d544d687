import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/types.js';
import { bindsAt } from '../support/ldap-login.js';
import { person } from './helpers.js';
import { initialOf, ldapRehireWorld } from './ldap-rehire-world.js';

/**
 * A termination entered late in HR: Lena left on 10 March, HR recorded it on
 * the 20th (the sync disabled her entry then), and she was rehired from the
 * 15th, entered on the 21st. Her new start is before the disable, which the
 * dates alone read as a return that keeps the former employment's password;
 * the lifecycle recorded a rehire, so her enable writes the mapped initial
 * password again (users.passwordOnEnable: rehire). Ada, back from a leave
 * of absence on the same day, keeps hers. examples/ldap with a mapped
 * password and `disable.password: keep` (the password stays on a disabled
 * entry, so only the enable decides what comes back).
 */
describe('review 21: a rehire after a termination entered late gets a new password; a return from leave keeps its own', () => {
  const lena = person({ employeeId: 'LT1', givenName: 'Lena', familyName: 'Late', department: 'Operations' });
  const ada = person({ employeeId: 'LA1', givenName: 'Ada', familyName: 'Leave', department: 'Operations' });

  const world = ldapRehireWorld({
    dirPrefix: 'roster-late-termination-', start: new Date('2026-03-01T09:00:00Z'), people: [lena, ada],
    yaml: (yaml) => {
      const users = '        createOUs: true\n';
      if (!yaml.includes(users)) throw new Error('examples/ldap/roster.yaml no longer holds users.createOUs');
      return yaml.replace(users, `${users}        passwordOnEnable: rehire\n`);
    },
  });
  const { sync, entry, setOwnPassword } = world;
  async function enableOf(id: string): Promise<AuditEntry> {
    const enables = (await world.engine.store.audit.list({ identity: id, kind: 'change.applied' })).filter((e) => (e.data as { action?: string }).action === 'enable');
    expect(enables).toHaveLength(1);
    return enables[0]!;
  }

  it('the late-termination rehire is enabled with the initial password; the return from leave with the one she chose', async () => {
    const { slapd, engine } = world;
    await sync('2026-03-01T09:00:00Z', [lena, ada]);
    await setOwnPassword((await entry('lena.late')).dn, 'Chosen-By-Lena-1');
    await setOwnPassword((await entry('ada.leave')).dn, 'Chosen-By-Ada-1');

    // The 20th: Lena's termination (she left on the 10th), Ada's leave. Both entries disabled (moved to ou=disabled).
    await sync('2026-03-20T09:00:00Z', [{ ...lena, endDate: '2026-03-10', status: 'terminated' }, { ...ada, status: 'leave' }]);
    expect((await entry('lena.late')).dn).toMatch(/ou=disabled/);
    expect((await entry('ada.leave')).dn).toMatch(/ou=disabled/);
    const lenaBefore = (await entry('lena.late')).password;
    expect(lenaBefore).toEqual(['Chosen-By-Lena-1']);

    // The 21st: Lena rehired from the 15th (before her entry was disabled), Ada back from leave.
    await sync('2026-03-21T09:00:00Z', [{ ...lena, startDate: '2026-03-15', endDate: '', status: 'active' }, ada]);
    const lenaNow = await entry('lena.late');
    expect(lenaNow.dn).toMatch(/ou=Operations,ou=people/);
    expect(lenaNow.password).not.toEqual(lenaBefore);
    expect(await bindsAt(slapd.url, lenaNow.dn, 'Chosen-By-Lena-1')).toBe(false);
    expect(await bindsAt(slapd.url, lenaNow.dn, initialOf('LT1'))).toBe(true);
    const lenaEnable = await enableOf('LT1');
    expect(lenaEnable.reasons).toContain('rehire');
    expect((lenaEnable.data as { newPassword?: boolean }).newPassword).toBe(true);

    const adaNow = await entry('ada.leave');
    expect(adaNow.dn).toMatch(/ou=Operations,ou=people/);
    expect(adaNow.password).toEqual(['Chosen-By-Ada-1']);
    expect(await bindsAt(slapd.url, adaNow.dn, 'Chosen-By-Ada-1')).toBe(true);
    const adaEnable = await enableOf('LA1');
    expect(adaEnable.reasons).not.toContain('rehire');
    expect(adaEnable.data).not.toHaveProperty('newPassword');

    // The audit never holds the password itself.
    expect(JSON.stringify(await engine.store.audit.list({ identity: 'LT1' }))).not.toContain(initialOf('LT1'));
  });
});
