import { Control, type Change as LdapChange } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import type { HookPool } from '../../../test/support/hook-pool.js';
import type { LdapConnector } from './ldap-connector.js';

/**
 * Review 20 (adversarial): an entry made before users.posix (no
 * posixAccount) that Roster converts while another Roster process creates
 * into the same range. A HookPool holds the conversion's modify back while
 * the other process's create runs whole (it checks, adds and settles the
 * same number), as two processes reading the same highest number do; then
 * the conversion's settle fails, or the range has nothing left to move to.
 */
const fixture = useSlapd();

async function ou(name: string): Promise<void> {
  await fixture.admin.add(`ou=${name},ou=people,${fixture.slapd.suffix}`, { objectClass: ['organizationalUnit'], ou: name });
}

/** One Roster process's connector for accounts below ou=<ou>,ou=people, numbers from [min, max]. */
function rosterProcess(ou: string, min: number, max = min + 999): { connector: LdapConnector; pool: HookPool } {
  const s = fixture.slapd.suffix;
  return fixture.hooked({
    users: {
      base: `ou=${ou},ou=people,${s}`, dn: `uid={uid},ou=${ou},ou=people,${s}`, key: 'uid', attributes: { email: 'mail' },
      defaults: { cn: '{uid}', sn: '{uid}' }, posix: { uidNumber: { min, max }, gidNumber: 100, loginShell: '/bin/bash' },
    },
  });
}

/** An account entry added by hand before users.posix was configured: no posixAccount. */
async function handMade(ouName: string, uid: string): Promise<string> {
  const dn = `uid=${uid},ou=${ouName},ou=people,${fixture.slapd.suffix}`;
  await fixture.admin.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'], uid, cn: `Hand ${uid}`, sn: uid, mail: `${uid}@old.example.com` });
  return dn;
}

/** The entry's user attributes, names as the server gives them, values sorted. */
async function read(dn: string): Promise<Record<string, string[]>> {
  const { searchEntries } = await fixture.admin.search(dn, { scope: 'base', attributes: ['*'] });
  const entry = searchEntries[0] ?? {};
  return Object.fromEntries(Object.entries(entry).filter(([name]) => name !== 'dn').map(([name, value]) => [name, (Array.isArray(value) ? value : [value]).map(String).sort()]));
}

/** uid -> uidNumber below ou=<ou>,ou=people (entries without one left out). */
async function numbers(ou: string): Promise<Record<string, string>> {
  const { searchEntries } = await fixture.admin.search(`ou=${ou},ou=people,${fixture.slapd.suffix}`, { scope: 'one', filter: '(uidNumber=*)', attributes: ['uid', 'uidNumber'] });
  return Object.fromEntries(searchEntries.map((entry) => [String(entry.uid), String(entry.uidNumber)]));
}

async function idOf(connector: LdapConnector, uid: string): Promise<string> {
  for await (const account of connector.list()) if (account.attributes.uid === uid) return account.accountId;
  throw new Error(`${uid} is not listed`);
}

const create = (connector: LdapConnector, uid: string) => connector.create({ attributes: { uid, email: `${uid}@example.com` }, enabled: true });
const isConversion = (op: string, args: readonly unknown[]): boolean => {
  const changes = args[1];
  return op === 'modify' && (Array.isArray(changes) ? changes : [changes]).some((change) => (change as LdapChange).modification.type === 'objectClass');
};
/** Relax Rules (OpenLDAP): lets the test give an entry the timestamps it would have had years ago. */
const relax = new Control('1.3.6.1.4.1.4203.666.5.12', { critical: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Hold A's conversion modify back until B has created `others` (the last
 * checked, added and settled with the number A reserved: B alone holds it then), send it,
 * and with `failSettle` make the search that settles it fail (the directory
 * away for a moment; a process stopped there leaves the same state).
 */
function raceConversion(a: { pool: HookPool }, b: LdapConnector, others: readonly string[], failSettle: boolean): void {
  let failNextSearch = false;
  a.pool.hook = async (op, args, send) => {
    if (!isConversion(op, args)) return send();
    a.pool.hook = undefined;
    for (const other of others) await create(b, other);
    const result = await send();
    failNextSearch = failSettle;
    return result;
  };
  const use = a.pool.use.bind(a.pool);
  a.pool.use = ((work) => {
    if (!failNextSearch) return use(work);
    failNextSearch = false;
    return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' }));
  }) as typeof a.pool.use;
}

describe('converting an entry to a posixAccount when a write fails at the wrong moment (review20)', () => {
  it('the settle after the conversion failed: the retried update (in a restarted process) settles the converted entry, no duplicate stays', async () => {
    await ou('cs1');
    const dn = await handMade('cs1', 'cs1.old');
    await sleep(1100);
    const a = rosterProcess('cs1', 50000);
    const b = rosterProcess('cs1', 50000);
    const accountId = await idOf(a.connector, 'cs1.old');
    raceConversion(a, b.connector, ['cs1.new'], true);
    await expect(a.connector.update(accountId, { email: 'cs1.old@example.com' })).rejects.toThrow();
    // Converted with the number B holds too: the state a stopped process leaves.
    expect(await numbers('cs1')).toEqual({ 'cs1.new': '50000', 'cs1.old': '50000' });
    const restarted = rosterProcess('cs1', 50000);
    await restarted.connector.update(accountId, { email: 'cs1.old@example.com' });
    const held = await numbers('cs1');
    expect(held['cs1.new']).toBe('50000');
    expect(held['cs1.old']).not.toBe('50000');
    expect(Number(held['cs1.old'])).toBeGreaterThan(50000);
    expect((await read(dn)).mail).toEqual(['cs1.old@example.com']);
  });

  it('the retry is a create adopting the converted entry: it is settled although the other holder was created after the entry', async () => {
    await ou('cs2');
    await handMade('cs2', 'cs2.old');
    await sleep(1100);
    const a = rosterProcess('cs2', 51000);
    const b = rosterProcess('cs2', 51000);
    // A's create adds first (the key names the DN) with 51000: refused, so the conversion of the entry it adopts takes that number (review21), as B's create does.
    raceConversion(a, b.connector, ['cs2.new'], true);
    await expect(create(a.connector, 'cs2.old')).rejects.toThrow();
    expect(await numbers('cs2')).toEqual({ 'cs2.new': '51000', 'cs2.old': '51000' });
    await create(rosterProcess('cs2', 51000).connector, 'cs2.old');
    const held = await numbers('cs2');
    expect(held['cs2.new']).toBe('51000');
    expect(held['cs2.old']).not.toBe('51000');
    expect(Number(held['cs2.old'])).toBeGreaterThan(51000);
  });

  it('a converted entry whose number an operator copied later onto another entry keeps it: the newer entry is the operator\'s to change', async () => {
    await ou('cs3');
    await handMade('cs3', 'cs3.old');
    const a = rosterProcess('cs3', 52000);
    const accountId = await idOf(a.connector, 'cs3.old');
    await a.connector.update(accountId, { email: 'cs3.old@example.com' });
    expect(await numbers('cs3')).toEqual({ 'cs3.old': '52000' });
    await sleep(1100);
    await fixture.admin.add(`uid=svc3,ou=cs3,ou=people,${fixture.slapd.suffix}`, {
      objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'svc3', cn: 'svc3', sn: 'svc3', uidNumber: '52000', gidNumber: '100', homeDirectory: '/srv/svc3',
    });
    await rosterProcess('cs3', 52000).connector.update(accountId, { email: 'cs3.old@new.example.com' });
    expect(await numbers('cs3')).toEqual({ 'cs3.old': '52000', svc3: '52000' });
  });

  it('the last number of the range taken by another process during the conversion: the update fails naming the range and the entry is as it was', async () => {
    await ou('cs4');
    const dn = await handMade('cs4', 'cs4.old');
    const before = await read(dn);
    const a = rosterProcess('cs4', 53000, 53000);
    const b = rosterProcess('cs4', 53000, 53000);
    const accountId = await idOf(a.connector, 'cs4.old');
    raceConversion(a, b.connector, ['cs4.new'], false);
    await expect(a.connector.update(accountId, { email: 'cs4.old@example.com' })).rejects.toThrow(/no free uidNumber left in 53000-53000/);
    expect(await numbers('cs4')).toEqual({ 'cs4.new': '53000' });
    expect(await read(dn)).toEqual(before);
    // Tried again (the next plan): the range is full, the entry stays as it was.
    await expect(a.connector.update(accountId, { email: 'cs4.old@example.com' })).rejects.toThrow(/no free uidNumber left in 53000-53000/);
    expect(await read(dn)).toEqual(before);
  });

  it('an old duplicate Roster did not make (the other holder created long before the account last changed) is left: the account keeps its number', async () => {
    await ou('cs5');
    const s = fixture.slapd.suffix;
    const posix = (uid: string, created: string, modified: string) => fixture.admin.add(`uid=${uid},ou=cs5,ou=people,${s}`, {
      objectClass: ['inetOrgPerson', 'posixAccount'], uid, cn: uid, sn: uid, uidNumber: '54007', gidNumber: '100', homeDirectory: `/home/${uid}`,
      createTimestamp: created, modifyTimestamp: modified,
    }, relax);
    // The account since 2019, last changed in 2021; a service account given its number by hand in 2020.
    await posix('cs5.old', '20190101000000Z', '20210101000000Z');
    await posix('svc5', '20200101000000Z', '20200101000000Z');
    const a = rosterProcess('cs5', 54000);
    await a.connector.update(await idOf(a.connector, 'cs5.old'), { email: 'cs5.old@example.com' });
    expect(await numbers('cs5')).toEqual({ 'cs5.old': '54007', svc5: '54007' });
  });

  it('a full range undoes a conversion of an entry that held a uidNumber already (not as a posixAccount): that number is put back', async () => {
    await ou('cs6');
    const dn = `uid=cs6.old,ou=cs6,ou=people,${fixture.slapd.suffix}`;
    await fixture.admin.add(dn, { objectClass: ['inetOrgPerson', 'extensibleObject'], uid: 'cs6.old', cn: 'cs6', sn: 'cs6', uidNumber: '777' });
    const before = await read(dn);
    const a = rosterProcess('cs6', 55000, 55000);
    const b = rosterProcess('cs6', 55000, 55000);
    raceConversion(a, b.connector, ['cs6.new'], false);
    await expect(a.connector.update(await idOf(a.connector, 'cs6.old'), { email: 'cs6@example.com' })).rejects.toThrow(/no free uidNumber left in 55000-55000/);
    expect(await read(dn)).toEqual(before);
    expect(await numbers('cs6')).toEqual({ 'cs6.new': '55000', 'cs6.old': '777' });
  });
});
