import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import type { LdapConnector } from './ldap-connector.js';

/**
 * Review 20 (security): a directory user who may write the counter entry
 * (users.posix.counter) sets it back, or to a value that is no usable number.
 * A number another account holds is never handed out again (each is checked
 * before its add); a value out of range or not a number fails the create,
 * adding nothing. slapd, one Roster process.
 */
const fixture = useSlapd();

async function counter(name: string, value: string): Promise<string> {
  const s = fixture.slapd.suffix;
  await fixture.admin.add(`ou=pools,${s}`, { objectClass: ['organizationalUnit'], ou: 'pools' }).catch(() => undefined);
  const dn = `cn=${name},ou=pools,${s}`;
  await fixture.admin.add(dn, { objectClass: ['device', 'extensibleObject'], cn: name, uidNumber: value });
  return dn;
}

const setCounter = (dn: string, attribute: string, value: string) =>
  fixture.admin.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: attribute, values: [value] }) })]);

function rosterProcess(ou: string, range: { min: number; max: number }, counter: { dn: string; attribute?: string }) {
  const s = fixture.slapd.suffix;
  return fixture.hooked({
    users: {
      base: `ou=people,${s}`, dn: `uid={uid},ou=${ou},ou=people,${s}`, key: 'uid', createOUs: true, defaults: { cn: '{uid}', sn: '{uid}' },
      posix: { uidNumber: range, gidNumber: 100, counter },
    },
  }).connector;
}

async function numbers(ou: string): Promise<Record<string, string>> {
  const { searchEntries } = await fixture.admin.search(`ou=people,${fixture.slapd.suffix}`, { scope: 'sub', filter: `(&(uid=${ou}.*)(objectClass=posixAccount))`, attributes: ['uid', 'uidNumber'] });
  return Object.fromEntries(searchEntries.map((entry) => [String(entry.uid), String(entry.uidNumber)]));
}

const create = (connector: LdapConnector, uid: string) => connector.create({ attributes: { uid }, enabled: true });

describe('a uidNumber counter written by someone else (review20)', () => {
  it('set back to a number held, mid-process: the next create gets a number nobody holds', async () => {
    const dn = await counter('back', '57000');
    const c = rosterProcess('back', { min: 57000, max: 57999 }, { dn });
    for (const uid of ['back.a', 'back.b', 'back.c']) await create(c, uid);
    expect(await numbers('back')).toEqual({ 'back.a': '57000', 'back.b': '57001', 'back.c': '57002' });
    await setCounter(dn, 'uidNumber', '57000');
    await create(c, 'back.d');
    await create(c, 'back.e');
    const held = await numbers('back');
    expect(held).toEqual({ 'back.a': '57000', 'back.b': '57001', 'back.c': '57002', 'back.d': '57003', 'back.e': '57004' });
  });

  it('a number far past the range (beyond 2^53): the create fails naming the range, and adds nothing', async () => {
    const dn = await counter('huge', '57100');
    const c = rosterProcess('huge', { min: 57100, max: 57199 }, { dn });
    await setCounter(dn, 'uidNumber', '123456789012345678901234567890');
    await expect(create(c, 'huge.a')).rejects.toMatchObject({ code: 'target.rejected', message: expect.stringContaining('no free uidNumber left in 57100-57199') });
    expect(await numbers('huge')).toEqual({});
  });

  it('a value that is no number (a counter in a text attribute): the create fails, the message bounded, and adds nothing', async () => {
    const dn = await counter('text', '57200');
    const c = rosterProcess('text', { min: 57200, max: 57299 }, { dn, attribute: 'description' });
    await setCounter(dn, 'description', `x${'9'.repeat(20_000)}`);
    const error = await create(c, 'text.a').then(() => undefined, (e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'target.rejected', message: expect.stringContaining('must hold exactly one description value, a number') });
    expect(error?.message.length).toBeLessThan(2_000);
    expect(await numbers('text')).toEqual({});
  });
});
