import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import type { LdapConnector } from './ldap-connector.js';

/**
 * Review 21: users.posix.counter against a real slapd. A create adopting an
 * entry made before users.posix takes one number, not two (its refused add
 * used to leave one behind); the counter set back below numbers handed out
 * goes on above them; a delete gives no number back; and a counter entry
 * below users.base that matches users.objectClasses is never an account.
 */
const fixture = useSlapd();

/** A counter entry below ou=pools holding `value` in uidNumber. */
async function counter(name: string, value: number): Promise<string> {
  const s = fixture.slapd.suffix;
  await fixture.admin.add(`ou=pools,${s}`, { objectClass: ['organizationalUnit'], ou: 'pools' }).catch(() => undefined);
  const dn = `cn=${name},ou=pools,${s}`;
  await fixture.admin.add(dn, { objectClass: ['device', 'extensibleObject'], cn: name, uidNumber: String(value) });
  return dn;
}

async function counterValue(dn: string): Promise<string> {
  const { searchEntries } = await fixture.admin.search(dn, { scope: 'base', attributes: ['uidNumber'] });
  return String(searchEntries[0]?.uidNumber);
}

const setCounter = (dn: string, value: number) =>
  fixture.admin.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'uidNumber', values: [String(value)] }) })]);

/** One Roster process's connector (own pool and allocator) for accounts below ou=<ou>,ou=people (the base), numbers from the counter. */
function rosterProcess(ou: string, range: { min: number; max: number }, counterDn: string, base = `ou=${ou},ou=people,${fixture.slapd.suffix}`) {
  return fixture.hooked({
    users: {
      base, dn: `uid={uid},ou=${ou},ou=people,${fixture.slapd.suffix}`, key: 'uid', createOUs: true, defaults: { cn: '{uid}', sn: '{uid}' },
      posix: { uidNumber: range, gidNumber: 100, counter: { dn: counterDn } },
    },
  });
}

async function ou(name: string): Promise<void> {
  await fixture.admin.add(`ou=${name},ou=people,${fixture.slapd.suffix}`, { objectClass: ['organizationalUnit'], ou: name });
}

/** An account entry added before users.posix was configured: no posixAccount, no uidNumber. */
async function handMade(ouName: string, uid: string): Promise<void> {
  await fixture.admin.add(`uid=${uid},ou=${ouName},ou=people,${fixture.slapd.suffix}`, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid });
}

/** uid -> uidNumber of the entries below ou=<ou>,ou=people holding one. */
async function numbers(ouName: string): Promise<Record<string, string>> {
  const { searchEntries } = await fixture.admin.search(`ou=${ouName},ou=people,${fixture.slapd.suffix}`, { scope: 'sub', filter: '(&(uid=*)(uidNumber=*))', attributes: ['uid', 'uidNumber'] });
  return Object.fromEntries(searchEntries.map((entry) => [String(entry.uid), String(entry.uidNumber)]));
}

const create = (connector: LdapConnector, uid: string) => connector.create({ attributes: { uid }, enabled: true });
const sorted = (held: Record<string, string>) => Object.values(held).map(Number).sort((x, y) => x - y);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('uidNumber counter: gaps, set-backs and the counter entry itself (review21)', () => {
  it('creates adopting entries made before users.posix take one number each: no gap, in one process and between two racing', async () => {
    await ou('adopt');
    const dn = await counter('adopt', 60000);
    for (const uid of ['adopt.h1', 'adopt.h2', 'adopt.h3']) await handMade('adopt', uid);
    const a = rosterProcess('adopt', { min: 60000, max: 60999 }, dn);
    await create(a.connector, 'adopt.h1');
    await create(a.connector, 'adopt.n1');
    await create(a.connector, 'adopt.h2');
    await create(a.connector, 'adopt.h3');
    expect(await numbers('adopt')).toEqual({ 'adopt.h1': '60000', 'adopt.n1': '60001', 'adopt.h2': '60002', 'adopt.h3': '60003' });
    expect(await counterValue(dn)).toBe('60004');

    // Two processes, 10 adoptions and 10 joiners each, all at once: every number once, none lost.
    await ou('race');
    const rdn = await counter('race', 61000);
    for (const p of ['a', 'b']) for (let i = 0; i < 10; i++) await handMade('race', `race.${p}h${i}`);
    const pa = rosterProcess('race', { min: 61000, max: 61999 }, rdn);
    const pb = rosterProcess('race', { min: 61000, max: 61999 }, rdn);
    await Promise.all(['a', 'b'].flatMap((p) => {
      const c = (p === 'a' ? pa : pb).connector;
      return range(0, 10).flatMap((i) => [create(c, `race.${p}h${i}`), create(c, `race.${p}n${i}`)]);
    }));
    const held = await numbers('race');
    expect(Object.keys(held)).toHaveLength(40);
    expect(sorted(held)).toEqual(range(61000, 40));
    expect(await counterValue(rdn)).toBe('61040');
  });

  it('two processes adopting the same entry at once: it ends with one number nobody else holds', async () => {
    await ou('same');
    const dn = await counter('same', 62000);
    await handMade('same', 'same.x');
    const a = rosterProcess('same', { min: 62000, max: 62999 }, dn);
    const b = rosterProcess('same', { min: 62000, max: 62999 }, dn);
    await Promise.all([create(a.connector, 'same.x'), create(b.connector, 'same.x'), create(a.connector, 'same.y'), create(b.connector, 'same.z')]);
    const held = await numbers('same');
    expect(Object.keys(held).sort()).toEqual(['same.x', 'same.y', 'same.z']);
    expect(new Set(Object.values(held)).size).toBe(3);
    // At most the losing conversion's number is a gap.
    expect(Number(await counterValue(dn))).toBeLessThanOrEqual(62004);
  });

  it('the counter set back mid-process to a deleted leaver\'s free number: the next joiner goes on above every number handed out', async () => {
    await ou('back');
    const dn = await counter('back', 63000);
    const a = rosterProcess('back', { min: 63000, max: 63999 }, dn);
    const ids: Record<string, string> = {};
    for (const uid of ['back.a', 'back.b', 'back.c', 'back.d']) ids[uid] = (await create(a.connector, uid)).accountId;
    expect(await numbers('back')).toEqual({ 'back.a': '63000', 'back.b': '63001', 'back.c': '63002', 'back.d': '63003' });
    // A delete gives nothing back: the counter stays where it was.
    await a.connector.delete(ids['back.c'] ?? '');
    expect(await counterValue(dn)).toBe('63004');
    // An old backup restored: the counter says 63002, free since back.c left, below back.d's 63003.
    await setCounter(dn, 63002);
    await create(a.connector, 'back.e');
    expect(await numbers('back')).toEqual({ 'back.a': '63000', 'back.b': '63001', 'back.d': '63003', 'back.e': '63004' });
    expect(await counterValue(dn)).toBe('63005');
    // A process started after the restore reads the highest number in use before its first take (as before review21).
    await setCounter(dn, 63002);
    await create(rosterProcess('back', { min: 63000, max: 63999 }, dn).connector, 'back.f');
    expect((await numbers('back'))['back.f']).toBe('63005');
  });

  it('a counter entry below users.base that is an inetOrgPerson: never listed, found, deleted or given as an account', async () => {
    const s = fixture.slapd.suffix;
    await ou('inside');
    const dn = `cn=uidNext,ou=inside,ou=people,${s}`;
    await fixture.admin.add(dn, { objectClass: ['inetOrgPerson', 'extensibleObject'], cn: 'uidNext', sn: 'counter', uidNumber: '64000' });
    const { searchEntries: [raw] } = await fixture.admin.search(dn, { scope: 'base', attributes: ['entryUUID'] });
    const counterId = String(raw?.entryUUID);
    const a = rosterProcess('inside', { min: 64000, max: 64999 }, dn);
    const { accountId } = await create(a.connector, 'inside.a');
    const listed: string[] = [];
    for await (const account of a.connector.list()) listed.push(account.accountId);
    expect(listed).toEqual([accountId]);
    expect(await a.connector.get(counterId)).toBeUndefined();
    // A delete of its id (reconcile's orphan delete, had it been listed) deletes nothing; numbers go on from it.
    await a.connector.delete(counterId);
    expect(await counterValue(dn)).toBe('64001');
    await create(a.connector, 'inside.b');
    expect(await numbers('inside')).toEqual({ 'inside.a': '64000', 'inside.b': '64001' });
  });
});
