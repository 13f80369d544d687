import type { Change as LdapChange } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { HookPool } from '../../../test/support/hook-pool.js';
import { LdapConnector } from './ldap-connector.js';

/**
 * Entries made before users.posix was configured (by hand, here: added with
 * the test's own client, without posixAccount) are adopted, and the first
 * write Roster makes to one (update, create adopting it, enable) makes it a
 * posixAccount as a create would have, with a unique uidNumber from the range.
 */
const fixture = useSlapd();

/** A connector for accounts below ou=<ou>,ou=people with uidNumbers from [min, min + 999]. */
function make(ou: string, min: number, extra: Record<string, unknown> = {}, users: Record<string, unknown> = {}): { connector: LdapConnector; pool: HookPool } {
  const s = fixture.slapd.suffix;
  return fixture.hooked({
    users: {
      base: `ou=${ou},ou=people,${s}`, dn: `uid={uid},ou=${ou},ou=people,${s}`, key: 'uid',
      attributes: { email: 'mail', employeeId: 'employeeNumber', unixId: 'uidNumber', home: 'homeDirectory' }, defaults: { cn: '{uid}', sn: '{uid}' },
      posix: { uidNumber: { min, max: min + 999 }, gidNumber: 100, loginShell: '/bin/bash' }, ...users,
    },
    ...extra,
  });
}

async function ou(name: string): Promise<void> {
  await fixture.admin.add(`ou=${name},ou=people,${fixture.slapd.suffix}`, { objectClass: ['organizationalUnit'], ou: name });
}

/** An account entry added by hand, as it was before users.posix: no posixAccount. */
async function handMade(ouName: string, uid: string, extra: Record<string, string | string[]> = {}): Promise<string> {
  const dn = `uid=${uid},ou=${ouName},ou=people,${fixture.slapd.suffix}`;
  await fixture.admin.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'], uid, cn: `Hand ${uid}`, sn: uid, mail: `${uid}@old.example.com`, ...extra });
  return dn;
}

async function read(dn: string): Promise<Record<string, string[]>> {
  const { searchEntries } = await fixture.admin.search(dn, { scope: 'base', attributes: ['objectClass', 'uidNumber', 'gidNumber', 'homeDirectory', 'loginShell', 'cn', 'mail'] });
  const entry = searchEntries[0] ?? {};
  return Object.fromEntries(Object.entries(entry).filter(([name]) => name !== 'dn').map(([name, value]) => [name, (Array.isArray(value) ? value : [value]).map(String)]));
}

/** How many entries in the whole directory hold this uidNumber. */
async function holders(uidNumber: string): Promise<number> {
  const { searchEntries } = await fixture.admin.search(fixture.slapd.suffix, { scope: 'sub', filter: `(uidNumber=${uidNumber})`, attributes: ['1.1'] });
  return searchEntries.length;
}

async function idOf(connector: LdapConnector, uid: string): Promise<string> {
  for await (const account of connector.list()) if (account.attributes.uid === uid) return account.accountId;
  throw new Error(`${uid} is not listed`);
}

const isPosix = (entry: Record<string, string[]>): boolean => (entry.objectClass ?? []).some((oc) => oc.toLowerCase() === 'posixaccount');
const busy = (): Error => Object.assign(new Error('busy'), { code: 51 });
const operations = (args: readonly unknown[]): string[] => {
  const changes = args[1];
  return (Array.isArray(changes) ? changes : [changes]).map((change) => `${(change as LdapChange).operation} ${(change as LdapChange).modification.type}`);
};

describe('an entry made before users.posix was configured', () => {
  it('is adopted (listed), and the update Roster makes to it makes it a posixAccount with a unique uidNumber in range', async () => {
    await ou('cv1');
    const dn = await handMade('cv1', 'hand.one');
    // Someone else holds the lowest number of the range already.
    await fixture.admin.add(`uid=hand.taken,ou=cv1,ou=people,${fixture.slapd.suffix}`, {
      objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'hand.taken', cn: 'taken', sn: 'taken', uidNumber: '34000', gidNumber: '100', homeDirectory: '/home/hand.taken',
    });
    const { connector } = make('cv1', 34000);
    const accountId = await idOf(connector, 'hand.one');
    const adopted = await connector.get(accountId);
    expect(adopted?.attributes).not.toHaveProperty('unixId');

    await connector.update(accountId, { email: 'hand.one@example.com' }, { uid: 'hand.one', email: 'hand.one@old.example.com' });

    const entry = await read(dn);
    expect(isPosix(entry)).toBe(true);
    const uidNumber = Number(entry.uidNumber?.[0]);
    expect(uidNumber).toBeGreaterThan(34000);
    expect(uidNumber).toBeLessThanOrEqual(34999);
    expect(await holders(String(uidNumber))).toBe(1);
    // As a create sets them; what the entry held (cn) and what the update wrote (mail) stay.
    expect(entry).toMatchObject({ gidNumber: ['100'], homeDirectory: ['/home/hand.one'], loginShell: ['/bin/bash'], cn: ['Hand hand.one'], mail: ['hand.one@example.com'] });
    const account = await connector.get(accountId);
    expect(account?.attributes).toMatchObject({ unixId: String(uidNumber), home: '/home/hand.one', email: 'hand.one@example.com' });
  });

  it('a create that adopts it (same employee number) makes it a posixAccount, the home from the mapped value', async () => {
    await ou('cv2');
    const dn = await handMade('cv2', 'hand.two', { employeeNumber: 'E2' });
    const { connector } = make('cv2', 35000);
    const account = await connector.create({ attributes: { uid: 'hand.two', employeeId: 'E2', home: '/srv/home/hand.two' }, enabled: true });
    const entry = await read(dn);
    expect(isPosix(entry)).toBe(true);
    expect(entry.homeDirectory).toEqual(['/srv/home/hand.two']);
    // The add tried first (the key names the DN) reserved a number and found the DN taken: a gap, never a duplicate.
    const uidNumber = entry.uidNumber?.[0] ?? '';
    expect(Number(uidNumber)).toBeGreaterThanOrEqual(35000);
    expect(Number(uidNumber)).toBeLessThanOrEqual(35999);
    expect(await holders(uidNumber)).toBe(1);
    expect(account.attributes).toMatchObject({ unixId: uidNumber, home: '/srv/home/hand.two' });
  });

  it('an enable makes it a posixAccount', async () => {
    await ou('cv3');
    const dn = await handMade('cv3', 'hand.three', { employeeType: 'disabled' });
    const { connector } = make('cv3', 36000, { disable: { strategy: 'attribute', attribute: 'employeeType', value: 'disabled' } });
    const accountId = await idOf(connector, 'hand.three');
    expect((await connector.get(accountId))?.enabled).toBe(false);
    await connector.setEnabled(accountId, true);
    const entry = await read(dn);
    expect(isPosix(entry)).toBe(true);
    expect(entry.uidNumber).toEqual(['36000']);
    expect((await connector.get(accountId))?.enabled).toBe(true);
  });

  it('an entry without a uid (the key is mail) gets the key as its uid, as a create gives it', async () => {
    await ou('cv9');
    const s = fixture.slapd.suffix;
    const dn = `cn=nine@example.com,ou=cv9,ou=people,${s}`;
    await fixture.admin.add(dn, { objectClass: ['inetOrgPerson'], cn: 'nine@example.com', sn: 'nine', mail: 'nine@example.com' });
    const { connector } = make('cv9', 42000, {}, { dn: `cn={email},ou=cv9,ou=people,${s}`, key: 'email', attributes: { email: 'mail' }, defaults: {} });
    const ids: string[] = [];
    for await (const account of connector.list()) ids.push(account.accountId);
    expect(ids).toHaveLength(1);
    await connector.update(ids[0] ?? '', { description: 'converted' });
    const { searchEntries } = await fixture.admin.search(dn, { scope: 'base', attributes: ['objectClass', 'uid', 'uidNumber', 'homeDirectory', 'description'] });
    expect(searchEntries[0]).toMatchObject({ uid: 'nine@example.com', uidNumber: '42000', homeDirectory: '/home/nine@example.com', description: 'converted' });
  });

  it('an entry that is a posixAccount already is not touched: only the update\'s own modify is written', async () => {
    await ou('cv4');
    const dn = `uid=hand.four,ou=cv4,ou=people,${fixture.slapd.suffix}`;
    await fixture.admin.add(dn, {
      objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'hand.four', cn: 'four', sn: 'four', mail: 'four@old.example.com',
      uidNumber: '5004', gidNumber: '500', homeDirectory: '/export/four',
    });
    const { connector, pool } = make('cv4', 37000, { disable: { strategy: 'attribute', attribute: 'employeeType', value: 'disabled' } });
    const accountId = await idOf(connector, 'hand.four');
    const writes: string[] = [];
    pool.hook = async (op, args, send) => {
      writes.push(`${op} ${operations(args).join(', ')}`);
      return send();
    };
    await connector.update(accountId, { email: 'four@example.com' });
    await connector.setEnabled(accountId, true);
    pool.hook = undefined;
    expect(writes).toEqual(['modify replace mail']);
    expect(await read(dn)).toMatchObject({ uidNumber: ['5004'], gidNumber: ['500'], homeDirectory: ['/export/four'] });
  });
});

describe('converting is idempotent', () => {
  it('the update fails after the conversion: a retry in another connector instance allocates no second number', async () => {
    await ou('cv5');
    const dn = await handMade('cv5', 'hand.five');
    const { connector, pool } = make('cv5', 38000);
    const accountId = await idOf(connector, 'hand.five');
    let failed = false;
    pool.hook = async (op, args, send) => {
      // The update's own modify (after the conversion) is refused once.
      if (!failed && op === 'modify' && operations(args).includes('replace mail')) {
        failed = true;
        throw busy();
      }
      return send();
    };
    await expect(connector.update(accountId, { email: 'five@example.com' })).rejects.toMatchObject({ code: 'target.unavailable' });
    pool.hook = undefined;
    expect(failed).toBe(true);
    const converted = await read(dn);
    expect(converted.uidNumber).toEqual(['38000']);

    const { connector: another, pool: anotherPool } = make('cv5', 38000);
    const writes: string[] = [];
    anotherPool.hook = async (op, args, send) => {
      writes.push(`${op} ${operations(args).join(', ')}`);
      return send();
    };
    await another.update(accountId, { email: 'five@example.com' });
    await another.update(accountId, { email: 'five@example.com' });
    anotherPool.hook = undefined;
    expect(writes).toEqual(['modify replace mail']);
    expect(await read(dn)).toMatchObject({ uidNumber: ['38000'], mail: ['five@example.com'] });
    expect(await holders('38000')).toBe(1);
  });

  it('the conversion applied but its answer lost: the same update goes on with that number, and a retry keeps it', async () => {
    await ou('cv6');
    const dn = await handMade('cv6', 'hand.six');
    const { connector, pool } = make('cv6', 39000);
    const accountId = await idOf(connector, 'hand.six');
    let lost = false;
    pool.hook = async (op, args, send) => {
      const result = await send();
      if (!lost && op === 'modify' && operations(args).includes('add objectClass')) {
        lost = true;
        throw Object.assign(new Error('busy after the write'), { code: 51 });
      }
      return result;
    };
    await connector.update(accountId, { email: 'six@example.com' });
    pool.hook = undefined;
    expect(lost).toBe(true);
    expect(await read(dn)).toMatchObject({ uidNumber: ['39000'], mail: ['six@example.com'] });
    const { connector: another } = make('cv6', 39000);
    await another.update(accountId, { email: 'six@example.com' });
    expect((await read(dn)).uidNumber).toEqual(['39000']);
  });

  it('the conversion refused: nothing is written, and the retry converts with one number', async () => {
    await ou('cv7');
    const dn = await handMade('cv7', 'hand.seven');
    const { connector, pool } = make('cv7', 40000);
    const accountId = await idOf(connector, 'hand.seven');
    pool.hook = async (op, args, send) => {
      if (op === 'modify' && operations(args).includes('add objectClass')) throw busy();
      return send();
    };
    await expect(connector.update(accountId, { email: 'seven@example.com' })).rejects.toMatchObject({ code: 'target.unavailable' });
    pool.hook = undefined;
    expect(isPosix(await read(dn))).toBe(false);
    await connector.update(accountId, { email: 'seven@example.com' });
    const entry = await read(dn);
    expect(isPosix(entry)).toBe(true);
    expect(entry.uidNumber).toHaveLength(1);
    expect(Number(entry.uidNumber?.[0])).toBeGreaterThanOrEqual(40000);
    expect(await holders(entry.uidNumber?.[0] ?? '')).toBe(1);
  });

  it('two processes converting the same entry at once: one number, neither fails', async () => {
    await ou('cv8');
    const dn = await handMade('cv8', 'hand.eight');
    const a = make('cv8', 41000);
    const b = make('cv8', 41000);
    const accountId = await idOf(a.connector, 'hand.eight');
    await Promise.all([a.connector.update(accountId, { email: 'eight@example.com' }), b.connector.update(accountId, { email: 'eight@example.com' })]);
    const entry = await read(dn);
    expect(isPosix(entry)).toBe(true);
    expect(entry.uidNumber).toHaveLength(1);
  });
});
