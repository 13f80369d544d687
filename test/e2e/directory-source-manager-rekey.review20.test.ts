import { describe, expect, it } from 'vitest';
import { sourceCursorKey } from '../../src/sources/index.js';
import { change, inetOrgPerson, nextSecond, useLdapSource } from './directory-source-fixtures.js';

/**
 * Review 20: an ldap source read by modifyTimestamp keeps entryUUID -> key on
 * its cursor, so an incremental pass reads again only the reports of a
 * manager whose key changed. Since 022eb7d it read again the reports of every
 * entry it read (it could not tell a key change), which made a pass over many
 * changed managers almost a full read. A manager's new key must still reach
 * the reports (review 19); a cursor stored before the map was kept reads every
 * read entry's reports, as before, until a full pass stores the map.
 */
const world = useLdapSource({
  prefix: 'roster-dirsrc-rekey-review20-',
  ous: ['stamp'],
  sources: (slapd) => [{ id: 'stamp', base: `ou=stamp,${slapd.suffix}`, maxMissing: '50%', attributes: '{ givenName: givenName, managerId: manager }' }],
  app: { attributes: '{ username: identity.givenName }' },
});

const dn = (uid: string) => `uid=${uid},ou=stamp,${world.slapd.suffix}`;
const managerOf = async (key: string) => (await world.engine.store.identities.get(key))?.attributes.managerId;
const cursor = async () => await world.engine.store.state.get<{ keys?: Record<string, string> }>(sourceCursorKey('stamp'));
const incremental = () => world.engine.readSource('stamp', 'test', { mode: 'incremental' });

async function touch(uid: string, round: number): Promise<void> {
  await nextSecond();
  await world.admin.modify(dn(uid), [change('replace', 'givenName', [`Given ${uid} ${round}`])]);
}

describe('ldap source by modifyTimestamp: reports read again only for a manager whose key changed (review 20)', () => {
  it('keeps entryUUID -> key, re-reads no reports without a key change, and the new key still reaches the reports', async () => {
    await world.admin.add(dn('boss'), inetOrgPerson('boss', 'B1'));
    for (const name of ['r1', 'r2']) await world.admin.add(dn(name), inetOrgPerson(name, name.toUpperCase(), { manager: dn('boss') }));
    expect(await world.engine.readSource('stamp', 'test', { mode: 'full' })).toMatchObject({ received: 3, created: 3 });
    const keys = (await cursor())?.keys ?? {};
    expect(Object.values(keys).sort()).toEqual(['B1', 'R1', 'R2']);
    for (const uuid of Object.keys(keys)) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    // The manager changes, not their key: the pass reads the manager alone (before the map: the manager and both reports).
    await touch('boss', 1);
    expect(await incremental()).toMatchObject({ received: 1, changed: 1 });

    // The manager's key changes: the reports are read again and name the new key, and the map follows.
    await nextSecond();
    await world.admin.modify(dn('boss'), [change('replace', 'employeeNumber', ['B1X'])]);
    expect(await incremental()).toMatchObject({ received: 3 });
    for (const report of ['R1', 'R2']) expect(await managerOf(report)).toBe('B1X');
    expect(Object.values((await cursor())?.keys ?? {}).sort()).toEqual(['B1X', 'R1', 'R2']);

    // Nothing changed since: nobody read again.
    expect(await incremental()).toMatchObject({ received: 0 });
    await touch('boss', 2);
    expect(await incremental()).toMatchObject({ received: 1 });
    for (const report of ['R1', 'R2']) expect(await managerOf(report)).toBe('B1X');
  });

  it('a cursor stored without the map (the previous version) re-reads every read entry\'s reports until a full pass stores it', async () => {
    const stored = await cursor();
    expect(stored?.keys).toBeDefined();
    const { keys: _dropped, ...old } = stored!;
    await world.engine.store.state.set(sourceCursorKey('stamp'), old);
    await touch('boss', 3);
    expect(await incremental()).toMatchObject({ received: 3 });
    // An incremental pass cannot build the map of everyone: it stores none.
    expect((await cursor())?.keys).toBeUndefined();
    await nextSecond();
    await world.admin.modify(dn('boss'), [change('replace', 'employeeNumber', ['B1Y'])]);
    expect(await incremental()).toMatchObject({ received: 3 });
    for (const report of ['R1', 'R2']) expect(await managerOf(report)).toBe('B1Y');
    expect(await world.engine.readSource('stamp', 'test', { mode: 'full' })).toMatchObject({ received: 3 });
    expect(Object.values((await cursor())?.keys ?? {}).sort()).toEqual(['B1Y', 'R1', 'R2']);
    await touch('boss', 4);
    expect(await incremental()).toMatchObject({ received: 1 });
  });
});
