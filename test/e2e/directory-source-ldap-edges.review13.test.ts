import { describe, expect, it } from 'vitest';
import { change, inetOrgPerson, nextSecond, useLdapSource, type LdapSourceYaml } from './directory-source-fixtures.js';

/**
 * Review 13 of the ldap source (docs/directory-sources.md is the contract):
 * bad entries are reported and skipped, never taken for leavers; moves and
 * renames are the same person; a filter escaped as RFC 4515 says matches.
 */
const ou = (name: string) => `ou=${name},${world.slapd.suffix}`;

function person(uid: string, employeeNumber: string | undefined, extra: Record<string, string | string[]> = {}) {
  return inetOrgPerson(uid, employeeNumber, { departmentNumber: 'Engineering', ...extra });
}

const source = (id: string, base: string, extra: Partial<LdapSourceYaml> = {}): LdapSourceYaml => ({
  id, base, schedule: '*/5 * * * *', maxMissing: '50%', pageSize: 2, attributes: '{ givenName: givenName, department: departmentNumber }', ...extra,
});

const world = useLdapSource({
  prefix: 'roster-dirsrc-review13-',
  ous: ['multi', 'dup', 'dates', 'moves', 'elsewhere', 'empty', 'utf', 'clock'],
  async seed(admin) {
    for (const name of ['a', 'b']) await admin.add(`ou=${name},${ou('moves')}`, { objectClass: ['organizationalUnit'], ou: name });
  },
  sources: () => [
    source('multi', ou('multi'), { key: 'uid' }), source('dup', ou('dup')),
    source('dates', ou('dates'), { attributes: '{ givenName: givenName, endDate: description }' }),
    source('nobase', ou('nope')), source('moves', ou('moves'), { attributes: '{ givenName: givenName, entryDn: dn }' }),
    source('empty', ou('empty')), source('clock', ou('clock')),
    source('utf', ou('utf'), { filter: String.raw`(&(objectClass=inetOrgPerson)(departmentNumber=Z\c3\bcrich \28HQ\29))` }),
  ],
  app: { attributes: '{ username: identity.givenName }' },
});

describe('ldap source edges (review 13)', () => {
  it('an entry whose key attribute has two values is reported and skipped, and neither value is taken for a leaver', async () => {
    await world.admin.add(`uid=m1,${ou('multi')}`, person('m1', undefined));
    await world.admin.add(`uid=m2,${ou('multi')}`, person('m2', undefined));
    await world.admin.add(`uid=m3,${ou('multi')}`, person('m3', undefined));
    expect(await world.engine.readSource('multi', 'test')).toMatchObject({ received: 3, created: 3 });
    // Someone adds a second uid to m2: which one is the person is no longer known.
    await world.admin.modify(`uid=m2,${ou('multi')}`, [change('add', 'uid', ['m2-alias'])]);
    const full = await world.engine.readSource('multi', 'test', { mode: 'full' });
    expect(full).toMatchObject({ received: 2, missing: 0, created: 0 });
    expect(full.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ key: 'm2', message: expect.stringContaining(`uid=m2,${ou('multi')}`) }),
    ]));
    expect((await world.engine.store.identities.get('m2'))?.state).toBe('active');
    expect((await world.engine.store.identities.get('m2'))?.missingSince).toBeUndefined();
    expect(await world.engine.store.identities.get('m2-alias')).toBeUndefined();
  });

  it('a full pass does not hand a person\'s identity to an older entry that took their key', async () => {
    await world.admin.add(`uid=alice,${ou('dup')}`, person('alice', 'D1'));
    await world.admin.add(`uid=bob,${ou('dup')}`, person('bob', 'D2'));
    await world.admin.add(`uid=carol,${ou('dup')}`, person('carol', 'D3'));
    expect(await world.engine.readSource('dup', 'test')).toMatchObject({ received: 3, created: 3 });
    // A typo: alice (earlier in the directory's order than bob) is given bob's number.
    await world.admin.modify(`uid=alice,${ou('dup')}`, [change('replace', 'employeeNumber', ['D2'])]);
    const full = await world.engine.readSource('dup', 'test', { mode: 'full' });
    expect(full.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ key: 'D2', message: expect.stringContaining(`uid=alice,${ou('dup')}`) }),
    ]));
    expect((await world.engine.store.identities.get('D2'))?.attributes.givenName).toBe('Given bob');
    expect((await world.engine.store.identities.get('D2'))?.state).toBe('active');
  });

  it('an entry with a malformed date is reported with its key and skipped, and is not a leaver', async () => {
    await world.admin.add(`uid=d1,${ou('dates')}`, person('d1', 'T1', { description: '20271231000000Z' }));
    await world.admin.add(`uid=d2,${ou('dates')}`, person('d2', 'T2'));
    expect(await world.engine.readSource('dates', 'test')).toMatchObject({ received: 2, created: 2, problems: [] });
    expect((await world.engine.store.identities.get('T1'))?.attributes.endDate).toBe('2027-12-31T00:00:00.000Z');
    await world.admin.modify(`uid=d1,${ou('dates')}`, [change('replace', 'description', ['31/12/2027'])]);
    const full = await world.engine.readSource('dates', 'test', { mode: 'full' });
    expect(full).toMatchObject({ received: 1, missing: 0 });
    expect(full.problems).toEqual([expect.objectContaining({ key: 'T1', message: expect.stringContaining('31/12/2027') })]);
    expect((await world.engine.store.identities.get('T1'))?.state).toBe('active');
    expect((await world.engine.store.identities.get('T1'))?.attributes.endDate).toBe('2027-12-31T00:00:00.000Z');
  });

  it('a base that does not exist is source.unavailable, and nobody is marked gone', async () => {
    await expect(world.engine.readSource('nobase', 'test')).rejects.toMatchObject({ code: 'source.unavailable', message: expect.stringMatching(/ou=nope/i) });
    await expect(world.engine.readSource('nobase', 'test', { mode: 'incremental' })).rejects.toMatchObject({ code: 'source.unavailable' });
    expect(await world.engine.store.state.get('cursor:source:nobase')).toBeUndefined();
  });

  it('an entry renamed or moved inside the base is the same person (incremental and full); moved out, a leaver at the full pass', async () => {
    await world.admin.add(`uid=v1,ou=a,${ou('moves')}`, person('v1', 'V1'));
    await world.admin.add(`uid=v2,ou=a,${ou('moves')}`, person('v2', 'V2'));
    await world.admin.add(`uid=v3,ou=a,${ou('moves')}`, person('v3', 'V3'));
    expect(await world.engine.readSource('moves', 'test')).toMatchObject({ received: 3, created: 3 });
    await nextSecond();
    await world.admin.modifyDN(`uid=v1,ou=a,${ou('moves')}`, `uid=v1,ou=b,${ou('moves')}`);
    await world.admin.modifyDN(`uid=v2,ou=a,${ou('moves')}`, 'uid=v2-renamed');
    const incremental = await world.engine.readSource('moves', 'test', { mode: 'incremental' });
    expect(incremental).toMatchObject({ received: 2, created: 0, missing: 0 });
    expect([...incremental.affected].sort()).toEqual(['V1', 'V2']);
    expect((await world.engine.store.identities.get('V1'))?.attributes.entryDn).toBe(`uid=v1,ou=b,${ou('moves')}`);
    expect((await world.engine.store.identities.get('V2'))?.attributes.entryDn).toBe(`uid=v2-renamed,ou=a,${ou('moves')}`);
    expect(await world.engine.readSource('moves', 'test', { mode: 'full' })).toMatchObject({ received: 3, created: 0, missing: 0 });
    // Out of the base: not seen by an incremental pass (timestamp mode), a leaver at the next full pass.
    await world.admin.modifyDN(`uid=v3,ou=a,${ou('moves')}`, `uid=v3,${ou('elsewhere')}`);
    expect(await world.engine.readSource('moves', 'test', { mode: 'incremental' })).toMatchObject({ missing: 0 });
    expect((await world.engine.store.identities.get('V3'))?.state).toBe('active');
    expect(await world.engine.readSource('moves', 'test', { mode: 'full' })).toMatchObject({ received: 2, missing: 1 });
    expect((await world.engine.store.identities.get('V3'))?.state).toBe('terminated');
  });

  it('a full pass of zero entries while the store has people is held: nobody marked gone', async () => {
    await world.admin.add(`uid=z1,${ou('empty')}`, person('z1', 'Z1'));
    await world.admin.add(`uid=z2,${ou('empty')}`, person('z2', 'Z2'));
    expect(await world.engine.readSource('empty', 'test')).toMatchObject({ received: 2, created: 2 });
    await world.admin.del(`uid=z1,${ou('empty')}`);
    await world.admin.del(`uid=z2,${ou('empty')}`);
    const full = await world.engine.readSource('empty', 'test', { mode: 'full' });
    expect(full).toMatchObject({ received: 0, missing: 0 });
    expect(full.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'source.truncated' })]));
    expect((await world.engine.store.identities.get('Z1'))?.state).toBe('active');
    expect((await world.engine.store.identities.get('Z2'))?.state).toBe('active');
  });

  it('entries added and changed in the same second as the pass that set the cursor are read by the next incremental pass', async () => {
    await world.admin.add(`uid=c0,${ou('clock')}`, person('c0', 'C0'));
    expect(await world.engine.readSource('clock', 'test')).toMatchObject({ received: 1, created: 1 });
    for (let round = 1; round <= 5; round++) {
      // No wait: the write lands in the second the previous pass read (slapd's clock is this host's).
      await world.admin.add(`uid=c${round},${ou('clock')}`, person(`c${round}`, `C${round}`));
      await world.admin.modify(`uid=c0,${ou('clock')}`, [change('replace', 'givenName', [`Round ${round}`])]);
      const pass = await world.engine.readSource('clock', 'test', { mode: 'incremental' });
      expect(pass).toMatchObject({ created: 1, changed: 1 });
      expect((await world.engine.store.identities.get('C0'))?.attributes.givenName).toBe(`Round ${round}`);
      expect(await world.engine.readSource('clock', 'test', { mode: 'incremental' })).toMatchObject({ received: 0 });
    }
  });

  it('a filter with RFC 4515 escapes of UTF-8 bytes and of parentheses matches the entries it names', async () => {
    await world.admin.add(`uid=u1,${ou('utf')}`, person('u1', 'U1', { departmentNumber: 'Zürich (HQ)' }));
    await world.admin.add(`uid=u2,${ou('utf')}`, person('u2', 'U2', { departmentNumber: 'Zurich (HQ)' }));
    const full = await world.engine.readSource('utf', 'test');
    expect(full).toMatchObject({ received: 1, created: 1, problems: [] });
    expect(full.affected).toEqual(['U1']);
    await nextSecond();
    await world.admin.modify(`uid=u1,${ou('utf')}`, [change('replace', 'givenName', ['Üla'])]);
    const incremental = await world.engine.readSource('utf', 'test', { mode: 'incremental' });
    expect(incremental).toMatchObject({ received: 1, changed: 1, problems: [] });
    expect((await world.engine.store.identities.get('U1'))?.attributes.givenName).toBe('Üla');
  });
});
