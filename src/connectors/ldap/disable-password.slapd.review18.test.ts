import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { bindAs, capture, dnOf, passwordOf, REFUSED } from '../../../test/support/ldap-login.js';

/**
 * review18: a disabled OpenLDAP account must not log in. A leaver's entry is
 * only disabled during the delete grace and keeps its userPassword: with
 * `move`, `strip-groups`, or `attribute` where no password policy applies
 * (this slapd loads ppolicy with no default policy), the leaver still binds
 * with the old password. `disable.password: remove` takes it away with the
 * disable. Every bind below is a real simple bind against a real slapd.
 */
const fx = useSlapd({ serviceAccount: true }); // its ACL lets a user bind (`by anonymous auth`)

const STRATEGIES = {
  move: () => ({ strategy: 'move', ou: `ou=disabled,${fx.slapd.suffix}` }),
  attribute: () => ({ strategy: 'attribute', attribute: 'pwdAccountLockedTime', value: '000001010000Z' }),
  'strip-groups': () => ({ strategy: 'strip-groups', attribute: 'employeeType', value: 'disabled' }),
} as const;
type Strategy = keyof typeof STRATEGIES;

function connection(strategy: Strategy, password?: string) {
  const s = fx.slapd.suffix;
  return {
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { password: 'userPassword' }, defaults: { cn: '{uid}', sn: '{uid}' } },
    groups: { base: `ou=groups,${s}`, names: true, create: true },
    disable: { ...STRATEGIES[strategy](), ...(password === undefined ? {} : { password }) },
  };
}




describe('review18: a disabled ldap account cannot bind with disable.password: remove', () => {
  for (const strategy of Object.keys(STRATEGIES) as Strategy[]) {
    it(`${strategy}: without the option the leaver still binds with the old password (the gap)`, async () => {
      const connector = fx.connect(connection(strategy));
      const uid = `keep.${strategy}`;
      const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
      await connector.grant(created.accountId, 'staff');
      expect(await bindAs(fx, uid, 'Joiner-Pass-1')).toBe('ok');
      await connector.setEnabled(created.accountId, false);
      expect((await connector.get(created.accountId))?.enabled).toBe(false);
      // Disabled, and still a live login: this is the gap the option closes.
      expect(await bindAs(fx, uid, 'Joiner-Pass-1')).toBe('ok');
    });

    it(`${strategy}: with password: remove the disabled entry refuses the bind; a re-run succeeds; a rehire's enable writes the mapped password`, async () => {
      const { log, lines } = capture();
      const connector = fx.connect(connection(strategy, 'remove'), { log });
      const uid = `remove.${strategy}`;
      const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
      await connector.grant(created.accountId, 'staff');
      expect(await bindAs(fx, uid, 'Joiner-Pass-1')).toBe('ok');
      await connector.setEnabled(created.accountId, false);
      expect((await connector.get(created.accountId))?.enabled).toBe(false);
      expect(await passwordOf(fx, uid)).toEqual([]);
      expect(await bindAs(fx, uid, 'Joiner-Pass-1')).toBe(REFUSED);
      // The executor may run the same disable again: the password is already gone, and that is no error.
      await connector.setEnabled(created.accountId, false);
      expect((await connector.get(created.accountId))?.enabled).toBe(false);
      expect(await bindAs(fx, uid, 'Joiner-Pass-1')).toBe(REFUSED);
      // A rehire: the mapped password is written with the enable, and binds again; the old one does not come back.
      expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { password: 'Rehire-Pass-2' } }))
        .toEqual({ newPassword: true, secretsWritten: true });
      expect((await connector.get(created.accountId))?.enabled).toBe(true);
      expect(await bindAs(fx, uid, 'Rehire-Pass-2')).toBe('ok');
      expect(await bindAs(fx, uid, 'Joiner-Pass-1')).toBe(REFUSED);
      const logged = lines.join('\n');
      expect(logged).toContain('password removed');
      expect(logged).not.toContain('Joiner-Pass-1');
      expect(logged).not.toContain('Rehire-Pass-2');
    });

    it(`${strategy}: an enable that writes no password (a return) does not fail on the absent userPassword`, async () => {
      const connector = fx.connect(connection(strategy, 'remove'));
      const uid = `return.${strategy}`;
      const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
      await connector.setEnabled(created.accountId, false);
      expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'return', secrets: { password: 'Joiner-Pass-1' } })).toEqual({});
      expect((await connector.get(created.accountId))?.enabled).toBe(true);
      // passwordOnEnable: rehire (the default) writes nothing on a return: the helpdesk sets a password.
      expect(await passwordOf(fx, uid)).toEqual([]);
      expect(await bindAs(fx, uid, 'Joiner-Pass-1')).toBe(REFUSED);
    });
  }

  it('move: stopped at the removal, the entry is still enabled (every later plan disables it), and the retried disable removes it and moves it', async () => {
    const { connector, pool } = fx.hooked(connection('move', 'remove'));
    const created = await connector.create({ attributes: { uid: 'crash.move', password: 'Joiner-Pass-1' }, enabled: true });
    pool.hook = (op, _args, send) => (op === 'modify' ? Promise.reject(Object.assign(new Error('connection lost'), { code: 80 })) : send());
    try {
      await expect(connector.setEnabled(created.accountId, false)).rejects.toThrow();
    } finally {
      pool.hook = undefined;
    }
    // The removal comes before the move (review18b): never disabled with its password, which a reconcile would record as done.
    expect((await connector.get(created.accountId))?.enabled).toBe(true);
    expect(await dnOf(fx, 'crash.move')).toBe(`uid=crash.move,ou=people,${fx.slapd.suffix}`);
    await connector.setEnabled(created.accountId, false);
    expect(await dnOf(fx, 'crash.move')).toBe(`uid=crash.move,ou=disabled,${fx.slapd.suffix}`);
    expect(await passwordOf(fx, 'crash.move')).toEqual([]);
    expect(await bindAs(fx, 'crash.move', 'Joiner-Pass-1')).toBe(REFUSED);
  });

  it('a create that brings an existing entry in line as disabled (a future hire) keeps its password for the first day', async () => {
    const connector = fx.connect(connection('attribute', 'remove'));
    await connector.create({ attributes: { uid: 'prehire.a', password: 'Joiner-Pass-1' }, enabled: true });
    const again = await connector.create({ attributes: { uid: 'prehire.a', password: 'Joiner-Pass-1' }, enabled: false });
    expect(again.enabled).toBe(false);
    expect(await passwordOf(fx, 'prehire.a')).toEqual(['Joiner-Pass-1']);
    // Disabled by a new entry too: the joiner's first enable writes no password, so the create must not take it.
    await connector.create({ attributes: { uid: 'prehire.b', password: 'Joiner-Pass-1' }, enabled: false });
    expect(await passwordOf(fx, 'prehire.b')).toEqual(['Joiner-Pass-1']);
  });

  it('attribute: pwdAccountLockedTime refuses a bind only under a policy with pwdLockout: TRUE; removing the password in the same modify keeps the lock', async () => {
    const s = fx.slapd.suffix;
    const policy = async (cn: string, lockout: boolean): Promise<string> => {
      await fx.admin.add(`cn=${cn},${s}`, { objectClass: ['device', 'pwdPolicy'], cn: [cn], pwdAttribute: ['userPassword'], ...(lockout ? { pwdLockout: ['TRUE'] } : {}) });
      return `cn=${cn},${s}`;
    };
    const cases = [[await policy('lockout-policy', true), undefined, REFUSED], [await policy('no-lockout-policy', false), undefined, 'ok'],
      [`cn=lockout-policy,${s}`, 'remove', REFUSED], [`cn=no-lockout-policy,${s}`, 'remove', REFUSED]] as const;
    for (const [index, [subentry, password, expected]] of cases.entries()) {
      const connector = fx.connect(connection('attribute', password));
      const uid = `policy.${index}`;
      const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
      await fx.admin.modify(await dnOf(fx, uid), new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdPolicySubentry', values: [subentry] }) }));
      await connector.setEnabled(created.accountId, false);
      // ppolicy deletes pwdAccountLockedTime itself when a modify changes userPassword of a locked entry: the lock must survive the removal.
      const { searchEntries } = await fx.admin.search(await dnOf(fx, uid), { scope: 'base', attributes: ['pwdAccountLockedTime'] });
      expect({ subentry, password, lock: searchEntries[0]?.pwdAccountLockedTime, bind: await bindAs(fx, uid, 'Joiner-Pass-1') })
        .toEqual({ subentry, password, lock: '000001010000Z', bind: expected });
      await connector.setEnabled(created.accountId, false);
      expect((await connector.get(created.accountId))?.enabled).toBe(false);
      await connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { password: 'Rehire-Pass-2' } });
      expect(await bindAs(fx, uid, 'Rehire-Pass-2')).toBe('ok');
    }
  });
});
