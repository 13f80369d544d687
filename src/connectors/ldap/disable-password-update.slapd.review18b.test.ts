import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { binds, capture, dnOf, passwordOf } from '../../../test/support/ldap-login.js';

/**
 * review18b: with `disable.password: remove`, nothing but an enable gives a
 * disabled entry a password again. The executor applies an update whose
 * mapped password changed while the person is away (on leave, a leaver in
 * the delete grace) to the disabled entry; the connector must not write it
 * there. A future hire's entry (made disabled, with its password for day
 * one) still gets the new one. And a disable by move stopped part way never
 * leaves the entry disabled with its password. Real binds against a real slapd.
 */
const fx = useSlapd({ serviceAccount: true }); // its ACL lets a user bind (`by anonymous auth`)

const STRATEGIES = {
  move: () => ({ strategy: 'move', ou: `ou=disabled,${fx.slapd.suffix}` }),
  attribute: () => ({ strategy: 'attribute', attribute: 'pwdAccountLockedTime', value: '000001010000Z' }),
  'strip-groups': () => ({ strategy: 'strip-groups', attribute: 'employeeType', value: 'disabled' }),
} as const;
type Strategy = keyof typeof STRATEGIES;

function connection(strategy: Strategy, password = 'remove') {
  const s = fx.slapd.suffix;
  return {
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { password: 'userPassword', email: 'mail' }, defaults: { cn: '{uid}', sn: '{uid}' } },
    groups: { base: `ou=groups,${s}`, names: true, create: true },
    disable: { ...STRATEGIES[strategy](), password },
  };
}





/** A fingerprint as the link holds it (the executor passes the link's attributes as `previous`). */
const FINGERPRINT = 'sha256:0000000000000000000000000000000000000000000000000000000000000000';

describe('review18b: an update never gives a disabled entry its password back (disable.password: remove)', () => {
  for (const strategy of Object.keys(STRATEGIES) as Strategy[]) {
    it(`${strategy}: a password changed while away is not written to the disabled entry; the other attributes are; enabled, it is written`, async () => {
      const { log, lines } = capture();
      const connector = fx.connect(connection(strategy), { log });
      const uid = `away.${strategy}`;
      const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1', email: `${uid}@example.com` }, enabled: true });
      await connector.setEnabled(created.accountId, false);
      expect(await passwordOf(fx, uid)).toEqual([]);
      await connector.update(created.accountId, { password: 'Changed-Pass-2', email: `${uid}@example.org` }, { uid, password: FINGERPRINT, email: `${uid}@example.com` });
      expect({ passwords: await passwordOf(fx, uid), binds: await binds(fx, uid, 'Changed-Pass-2'), email: (await connector.get(created.accountId))?.attributes.email })
        .toEqual({ passwords: [], binds: false, email: `${uid}@example.org` });
      expect((await connector.get(created.accountId))?.enabled).toBe(false);
      expect(lines.join('\n')).toContain('its password is not written');
      expect(lines.join('\n')).not.toContain('Changed-Pass-2');
      // Enabled again (a rehire writes the mapped password): an update of the enabled entry writes it as before.
      await connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { password: 'Changed-Pass-2' } });
      await connector.update(created.accountId, { password: 'Changed-Pass-3' }, { uid, password: FINGERPRINT });
      expect(await binds(fx, uid, 'Changed-Pass-3')).toBe(true);
    });
  }

  it('a future hire made disabled keeps getting its password: one it holds is replaced, one made empty (previous null) is written', async () => {
    for (const strategy of Object.keys(STRATEGIES) as Strategy[]) {
      const connector = fx.connect(connection(strategy));
      const held = `prehire.held.${strategy}`;
      const a = await connector.create({ attributes: { uid: held, password: 'Initial-Pass-1' }, enabled: false });
      await connector.update(a.accountId, { password: 'Initial-Pass-2' }, { uid: held, password: FINGERPRINT });
      expect({ strategy, passwords: await passwordOf(fx, held) }).toEqual({ strategy, passwords: ['Initial-Pass-2'] });
      const late = `prehire.late.${strategy}`;
      const b = await connector.create({ attributes: { uid: late, password: null }, enabled: false });
      expect(await passwordOf(fx, late)).toEqual([]);
      await connector.update(b.accountId, { password: 'Initial-Pass-3' }, { uid: late, password: null });
      expect({ strategy, passwords: await passwordOf(fx, late) }).toEqual({ strategy, passwords: ['Initial-Pass-3'] });
    }
  });

  it('password: keep writes the changed password to a disabled entry as before', async () => {
    const connector = fx.connect(connection('attribute', 'keep'));
    const created = await connector.create({ attributes: { uid: 'keep.upd', password: 'Joiner-Pass-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    await connector.update(created.accountId, { password: 'Changed-Pass-2' }, { uid: 'keep.upd', password: FINGERPRINT });
    expect(await passwordOf(fx, 'keep.upd')).toEqual(['Changed-Pass-2']);
  });
});

describe('review18b: a disable by move stopped part way never leaves the entry disabled with its password', () => {
  for (const failing of ['modify', 'modifyDN'] as const) {
    it(`the ${failing} fails: the entry is enabled-looking (a later plan disables it) or holds no password; the retry finishes`, async () => {
      const { connector, pool } = fx.hooked(connection('move'));
      const uid = `stop.${failing}`;
      const created = await connector.create({ attributes: { uid, password: 'Joiner-Pass-1' }, enabled: true });
      pool.hook = (op, _args, send) => (op === failing ? Promise.reject(Object.assign(new Error('connection lost'), { code: 80 })) : send());
      try {
        await expect(connector.setEnabled(created.accountId, false)).rejects.toThrow();
      } finally {
        pool.hook = undefined;
      }
      // A reconcile now records what get says: a disabled entry with its password would never be disabled again.
      const enabled = (await connector.get(created.accountId))?.enabled;
      const stranded = enabled === false && (await passwordOf(fx, uid)).length > 0;
      expect({ enabled, stranded }).toEqual({ enabled: true, stranded: false });
      await connector.setEnabled(created.accountId, false);
      expect({ dn: await dnOf(fx, uid), passwords: await passwordOf(fx, uid), binds: await binds(fx, uid, 'Joiner-Pass-1') })
        .toEqual({ dn: `uid=${uid},ou=disabled,${fx.slapd.suffix}`, passwords: [], binds: false });
    });
  }
});
