import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { bindsAt } from '../../../test/support/ldap-login.js';

/**
 * review14 (adversarial): a rehire's enable against a real slapd, the edges:
 * the password mapped by OID, the move back failing after the password was
 * written, strip-groups, a marker attribute that is not ppolicy's, posix
 * entries, and secrets that are not a password.
 */
const fx = useSlapd({ serviceAccount: true });
const LOCK = { strategy: 'attribute', attribute: 'pwdAccountLockedTime', value: '000001010000Z' };

function connection(disable: Record<string, unknown>, users: Record<string, unknown> = {}) {
  const s = fx.slapd.suffix;
  return {
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { password: 'userPassword' }, defaults: { cn: '{uid}', sn: '{uid}' }, ...users },
    disable,
  };
}

async function read(uid: string, attributes: string[]): Promise<Record<string, unknown> | undefined> {
  const { searchEntries } = await fx.admin.search(fx.slapd.suffix, { scope: 'sub', filter: `(uid=${uid})`, attributes });
  return searchEntries[0];
}

async function passwordOf(uid: string): Promise<string[]> {
  const value = (await read(uid, ['userPassword']))?.userPassword;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

const binds = (dn: string, password: string): Promise<boolean> => bindsAt(fx.slapd.url, dn, password);

describe('review14: ldap rehire enable edges', () => {
  it('a password mapped by its OID (2.5.4.35) is written on a rehire, not written and then removed in the same modify', async () => {
    const { connector } = fx.hooked(connection(LOCK, { attributes: { password: '2.5.4.35' } }));
    const created = await connector.create({ attributes: { uid: 'e.oid', password: 'Former-Oid-1' }, enabled: true });
    expect(await passwordOf('e.oid')).toEqual(['Former-Oid-1']);
    await connector.setEnabled(created.accountId, false);
    expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { password: 'Rehire-Oid-2' } })).toEqual({ newPassword: true, secretsWritten: true });
    expect(await passwordOf('e.oid')).toEqual(['Rehire-Oid-2']);
    // Write-only under its OID too: the password (or its hash) is never read back into an account.
    expect((await connector.get(created.accountId))?.attributes).not.toHaveProperty('password');
  });

  it('move strategy: the move back fails after the password was written; the entry stays disabled with the new password, and the retry finishes', async () => {
    const s = fx.slapd.suffix;
    await fx.admin.add(`ou=left,${s}`, { objectClass: ['organizationalUnit'], ou: ['left'] });
    const { connector, pool } = fx.hooked(connection({ strategy: 'move', ou: `ou=left,${s}` }));
    const created = await connector.create({ attributes: { uid: 'e.mv', password: 'Former-Move-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    pool.hook = (op, _args, send) => (op === 'modifyDN' ? Promise.reject(Object.assign(new Error('server busy'), { code: 51 })) : send());
    try {
      await expect(connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { password: 'Rehire-Move-2' } })).rejects.toThrow();
    } finally {
      pool.hook = undefined;
    }
    expect((await connector.get(created.accountId))?.enabled).toBe(false);
    expect(await passwordOf('e.mv')).toEqual(['Rehire-Move-2']);
    expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { password: 'Rehire-Move-2' } })).toEqual({ newPassword: true, secretsWritten: true });
    expect((await connector.get(created.accountId))?.enabled).toBe(true);
    expect(await binds(`uid=e.mv,ou=people,${s}`, 'Rehire-Move-2')).toBe(true);
    expect(await binds(`uid=e.mv,ou=people,${s}`, 'Former-Move-1')).toBe(false);
  });

  it('a marker that is not ppolicy\'s (employeeType) and strip-groups: the marker goes and the password is written in one modify', async () => {
    for (const [strategy, uid] of [['attribute', 'e.attr'], ['strip-groups', 'e.strip']] as const) {
      const { connector } = fx.hooked(connection({ strategy, attribute: 'employeeType', value: 'disabled' }));
      const created = await connector.create({ attributes: { uid, password: 'Former-Attr-1' }, enabled: true });
      await connector.setEnabled(created.accountId, false);
      expect((await read(uid, ['employeeType']))?.employeeType).toBe('disabled');
      expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { password: 'Rehire-Attr-2' } })).toEqual({ newPassword: true, secretsWritten: true });
      expect((await read(uid, ['employeeType']))?.employeeType ?? []).toEqual([]);
      expect(await passwordOf(uid)).toEqual(['Rehire-Attr-2']);
    }
  });

  it('secrets that are not a password (a mapped PIN): written, and userPassword removed', async () => {
    const { connector } = fx.hooked(connection(LOCK, { attributes: { pin: 'employeeNumber' } }));
    const created = await connector.create({ attributes: { uid: 'e.pin', pin: '1111' }, enabled: true });
    await fx.admin.modify(`uid=e.pin,ou=people,${fx.slapd.suffix}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: ['Set-By-Helpdesk-1'] }) }));
    await connector.setEnabled(created.accountId, false);
    expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { pin: '2222' } })).toEqual({ newPassword: true, secretsWritten: true });
    expect((await read('e.pin', ['employeeNumber']))?.employeeNumber).toBe('2222');
    expect(await passwordOf('e.pin')).toEqual([]);
  });

  it('a posix entry: the password is written and the entry stays a posixAccount', async () => {
    const { connector } = fx.hooked(connection(LOCK, { posix: { uidNumber: { min: 20000, max: 29999 }, gidNumber: 20000 } }));
    const created = await connector.create({ attributes: { uid: 'e.px', password: 'Former-Px-1' }, enabled: true });
    await connector.setEnabled(created.accountId, false);
    expect(await connector.setEnabled(created.accountId, true, {}, { reason: 'rehire', secrets: { password: 'Rehire-Px-2' } })).toEqual({ newPassword: true, secretsWritten: true });
    expect(await passwordOf('e.px')).toEqual(['Rehire-Px-2']);
    const entry = await read('e.px', ['objectClass', 'uidNumber']);
    expect((entry?.objectClass as string[]).map((c) => c.toLowerCase())).toContain('posixaccount');
  });
});
