import { Client } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import type { EnableOptions } from '../types.js';

/**
 * A rehire's enable against a real slapd (with the ppolicy overlay): the
 * password the mapping gives now is written in the same modify as the
 * enable, so the entry never comes back with the former employment's.
 */
const fx = useSlapd({ serviceAccount: true }); // its ACL lets a user bind (`by anonymous auth`)
const LOCK = { strategy: 'attribute', attribute: 'pwdAccountLockedTime', value: '000001010000Z' };

function connection(disable: Record<string, unknown>, passwordOnEnable?: string) {
  const s = fx.slapd.suffix;
  return {
    users: {
      base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { password: 'userPassword' }, defaults: { cn: '{uid}', sn: '{uid}' },
      ...(passwordOnEnable === undefined ? {} : { passwordOnEnable }),
    },
    disable,
  };
}

async function passwordOf(uid: string): Promise<string[]> {
  const { searchEntries } = await fx.admin.search(`ou=people,${fx.slapd.suffix}`, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['userPassword'] });
  const value = searchEntries[0]?.userPassword;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

async function binds(uid: string, password: string): Promise<boolean> {
  const client = new Client({ url: fx.slapd.url });
  try {
    await client.bind(`uid=${uid},ou=people,${fx.slapd.suffix}`, password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** A leaver's account: created with `first`, then disabled. */
async function leaver(connector: ReturnType<typeof fx.hooked>['connector'], uid: string, first = 'Former-Pass-1'): Promise<string> {
  const created = await connector.create({ attributes: { uid, password: first }, enabled: true });
  await connector.setEnabled(created.accountId, false);
  return created.accountId;
}

describe('ldap enable: passwords on a rehire', () => {
  it('writes the mapped password in the same modify that removes pwdAccountLockedTime', async () => {
    const { connector, pool } = fx.hooked(connection(LOCK));
    const id = await leaver(connector, 'r.ana');
    // The leaver's entry still holds the former password (this slapd's ppolicy has no default policy, so the lock
    // alone does not even stop a bind: only a password written again keeps the former one out).
    expect(await passwordOf('r.ana')).toEqual(['Former-Pass-1']);
    expect(await binds('r.ana', 'Former-Pass-1')).toBe(true);
    const writes: Array<{ op: string; types: string[] }> = [];
    pool.hook = (op, args, send) => {
      const changes = (Array.isArray(args[1]) ? args[1] : [args[1]]) as Array<{ modification: { type: string } }>;
      writes.push({ op, types: changes.map((c) => c.modification.type) });
      return send();
    };
    let result;
    try {
      result = await connector.setEnabled(id, true, {}, { reason: 'rehire', secrets: { password: 'Rehire-Pass-2' } });
    } finally {
      pool.hook = undefined;
    }
    expect(writes).toEqual([{ op: 'modify', types: ['pwdAccountLockedTime', 'userPassword'] }]);
    expect(result).toEqual({ newPassword: true, secretsWritten: true });
    expect(await passwordOf('r.ana')).toEqual(['Rehire-Pass-2']);
    expect((await connector.get(id))?.enabled).toBe(true);
    expect(await binds('r.ana', 'Rehire-Pass-2')).toBe(true);
    expect(await binds('r.ana', 'Former-Pass-1')).toBe(false);
  });

  it('removes the former password when the mapping gives none (or the caller passes none)', async () => {
    const { connector } = fx.hooked(connection(LOCK));
    const id = await leaver(connector, 'r.bo');
    expect(await connector.setEnabled(id, true, {}, { reason: 'rehire' })).toEqual({});
    expect(await passwordOf('r.bo')).toEqual([]);
    expect(await binds('r.bo', 'Former-Pass-1')).toBe(false);
    // A fingerprint is never written as a password.
    const other = await leaver(connector, 'r.bo2');
    await connector.setEnabled(other, true, {}, { reason: 'rehire', secrets: { password: 'secret:v1:abc' } });
    expect(await passwordOf('r.bo2')).toEqual([]);
  });

  it('keeps the password on a return, a joiner\'s enable and with passwordOnEnable: keep; `return` writes it on a return too', async () => {
    const cases: Array<[string | undefined, EnableOptions['reason'], boolean]> = [
      [undefined, 'return', false], [undefined, 'joiner', false], [undefined, undefined, false], ['keep', 'rehire', false], ['return', 'return', true],
    ];
    for (const [index, [setting, reason, writes]] of cases.entries()) {
      const { connector } = fx.hooked(connection(LOCK, setting));
      const uid = `r.case${index}`;
      const id = await leaver(connector, uid);
      const result = await connector.setEnabled(id, true, {}, { ...(reason === undefined ? {} : { reason }), secrets: { password: 'New-Pass-3' } });
      expect({ setting, reason, password: await passwordOf(uid), result }).toEqual({
        setting, reason, password: [writes ? 'New-Pass-3' : 'Former-Pass-1'], result: writes ? { newPassword: true, secretsWritten: true } : {},
      });
    }
  });

  it('with the move strategy writes the password while the entry is still disabled, then moves it back', async () => {
    const s = fx.slapd.suffix;
    await fx.admin.add(`ou=gone,${s}`, { objectClass: ['organizationalUnit'], ou: ['gone'] });
    const { connector, pool } = fx.hooked(connection({ strategy: 'move', ou: `ou=gone,${s}` }));
    const id = await leaver(connector, 'r.cy');
    const order: string[] = [];
    pool.hook = (op, args, send) => { order.push(`${op} ${String(args[0])}`); return send(); };
    try {
      expect(await connector.setEnabled(id, true, {}, { reason: 'rehire', secrets: { password: 'Moved-Pass-4' } })).toEqual({ newPassword: true, secretsWritten: true });
    } finally {
      pool.hook = undefined;
    }
    expect(order[0]).toBe(`modify uid=r.cy,ou=gone,${s}`);
    expect(order[1]).toBe(`modifyDN uid=r.cy,ou=gone,${s}`);
    expect(await binds('r.cy', 'Moved-Pass-4')).toBe(true);
  });

  it('an enable the directory refuses does not quote the password in its error, and leaves the entry disabled', async () => {
    const { connector, pool } = fx.hooked(connection(LOCK));
    const id = await leaver(connector, 'r.di');
    pool.hook = () => Promise.reject(new Error('refused: userPassword Quoted-Pass-5 is not allowed'));
    let message = '';
    try {
      await connector.setEnabled(id, true, {}, { reason: 'rehire', secrets: { password: 'Quoted-Pass-5' } });
    } catch (error) {
      message = String((error as Error).message);
    } finally {
      pool.hook = undefined;
    }
    expect(message).toContain('refused');
    expect(message).not.toContain('Quoted-Pass-5');
    expect((await connector.get(id))?.enabled).toBe(false);
  });
});
