import { describe, expect, it } from 'vitest';
import { change, inetOrgPerson, useLdapSource, type LdapSourceYaml } from './directory-source-fixtures.js';

/**
 * Review 13 of `changes: syncrepl` (docs/directory-sources.md): an entry a
 * pass turns down is bad input, reported and skipped; it never makes the
 * person who had its key a leaver, as an entry whose key was removed does not.
 */
const ou = (name: string) => `ou=${name},${world.slapd.suffix}`;

function person(uid: string, employeeNumber: string, extra: Record<string, string> = {}) {
  return inetOrgPerson(uid, employeeNumber, extra);
}

const source = (id: string, base: string, extra: Partial<LdapSourceYaml> = {}): LdapSourceYaml => ({
  id, base, changes: 'syncrepl', maxMissing: '50%', attributes: '{ givenName: givenName }', ...extra,
});

const world = useLdapSource({
  slapd: { syncprov: { sessionlog: 100 } },
  prefix: 'roster-dirsrc-sync-review13-',
  ous: ['dup', 'multi', 'dates', 'utf'],
  sources: () => [
    source('dup', ou('dup')), source('multi', ou('multi'), { key: 'uid' }),
    source('dates', ou('dates'), { attributes: '{ givenName: givenName, endDate: description }' }), source('nobase', ou('nope')),
    source('utf', ou('utf'), { filter: String.raw`(&(objectClass=inetOrgPerson)(departmentNumber=Z\c3\bcrich))` }),
  ],
  app: { attributes: '{ username: identity.givenName }' },
});

describe('syncrepl source edges (review 13)', () => {
  it('a key typed onto another entry is a problem: the typed entry\'s person is not a leaver, the key\'s owner keeps their identity', async () => {
    await world.admin.add(`uid=alice,${ou('dup')}`, person('alice', 'D1'));
    await world.admin.add(`uid=bob,${ou('dup')}`, person('bob', 'D2'));
    await world.admin.add(`uid=carol,${ou('dup')}`, person('carol', 'D3'));
    expect(await world.engine.readSource('dup', 'test')).toMatchObject({ received: 3, created: 3 });
    await world.admin.modify(`uid=alice,${ou('dup')}`, [change('replace', 'employeeNumber', ['D2'])]);
    const incremental = await world.engine.readSource('dup', 'test', { mode: 'incremental' });
    expect(incremental).toMatchObject({ missing: 0 });
    expect(incremental.problems).toEqual([expect.objectContaining({ key: 'D2', message: expect.stringContaining(`uid=alice,${ou('dup')}`) })]);
    expect((await world.engine.store.identities.get('D1'))?.state).toBe('active');
    expect((await world.engine.store.identities.get('D2'))?.attributes.givenName).toBe('Given bob');
    // A full refresh while the typo is there: alice's entry is still turned down, and D1 (hers at the last pass) is not missing.
    const full = await world.engine.readSource('dup', 'test', { mode: 'full' });
    expect(full).toMatchObject({ missing: 0 });
    expect(full.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ key: 'D1', message: expect.stringContaining(`uid=alice,${ou('dup')}`) }),
      expect.objectContaining({ key: 'D2', message: expect.stringContaining(`uid=bob,${ou('dup')}`) }),
    ]));
    expect((await world.engine.store.identities.get('D1'))?.state).toBe('active');
    expect((await world.engine.store.identities.get('D2'))?.attributes.givenName).toBe('Given bob');
    // Fixed: alice is D1 again, nobody gone, and the next change to her is read as hers.
    await world.admin.modify(`uid=alice,${ou('dup')}`, [change('replace', 'employeeNumber', ['D1']), change('replace', 'givenName', ['Alicia'])]);
    expect(await world.engine.readSource('dup', 'test', { mode: 'incremental' })).toMatchObject({ missing: 0, problems: [] });
    expect((await world.engine.store.identities.get('D1'))?.attributes.givenName).toBe('Alicia');
    expect((await world.engine.store.identities.get('D1'))?.state).toBe('active');
  });

  it('an entry given a second key value is reported and skipped; neither value is gone', async () => {
    await world.admin.add(`uid=m1,${ou('multi')}`, person('m1', 'M1'));
    await world.admin.add(`uid=m2,${ou('multi')}`, person('m2', 'M2'));
    expect(await world.engine.readSource('multi', 'test')).toMatchObject({ received: 2, created: 2 });
    // The new value first: a pass that took the first value would see m2's key change to "a-m2".
    await world.admin.modify(`uid=m2,${ou('multi')}`, [change('replace', 'uid', ['a-m2', 'm2'])]);
    const incremental = await world.engine.readSource('multi', 'test', { mode: 'incremental' });
    expect(incremental).toMatchObject({ missing: 0, created: 0 });
    expect(incremental.problems).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringContaining(`uid=m2,${ou('multi')}`) })]));
    expect((await world.engine.store.identities.get('m2'))?.state).toBe('active');
    expect(await world.engine.store.identities.get('a-m2')).toBeUndefined();
    expect(await world.engine.readSource('multi', 'test', { mode: 'full' })).toMatchObject({ missing: 0, created: 0 });
    expect((await world.engine.store.identities.get('m2'))?.state).toBe('active');
  });

  it('an entry given a malformed date is reported with its key and not a leaver', async () => {
    await world.admin.add(`uid=d1,${ou('dates')}`, person('d1', 'T1', { description: '20271231000000Z' }));
    await world.admin.add(`uid=d2,${ou('dates')}`, person('d2', 'T2'));
    expect(await world.engine.readSource('dates', 'test')).toMatchObject({ received: 2, created: 2, problems: [] });
    await world.admin.modify(`uid=d1,${ou('dates')}`, [change('replace', 'description', ['2027-02-30'])]);
    const incremental = await world.engine.readSource('dates', 'test', { mode: 'incremental' });
    expect(incremental).toMatchObject({ missing: 0 });
    expect(incremental.problems).toEqual([expect.objectContaining({ key: 'T1' })]);
    expect((await world.engine.store.identities.get('T1'))?.state).toBe('active');
  });

  it('a base that does not exist is source.unavailable naming it; no cursor is stored', async () => {
    await expect(world.engine.readSource('nobase', 'test')).rejects.toMatchObject({ code: 'source.unavailable', message: expect.stringContaining(ou('nope')) });
    expect(await world.engine.store.state.get('cursor:source:nobase')).toBeUndefined();
  });

  it('a filter escaping UTF-8 bytes (RFC 4515) matches in the sync and in the check of a full refresh', async () => {
    await world.admin.add(`uid=u1,${ou('utf')}`, person('u1', 'U1', { departmentNumber: 'Zürich' }));
    await world.admin.add(`uid=u2,${ou('utf')}`, person('u2', 'U2', { departmentNumber: 'Zurich' }));
    const full = await world.engine.readSource('utf', 'test');
    expect(full).toMatchObject({ received: 1, created: 1, problems: [] });
    await world.admin.del(`uid=u1,${ou('utf')}`);
    expect(await world.engine.readSource('utf', 'test', { mode: 'incremental' })).toMatchObject({ missing: 1 });
  });
});
