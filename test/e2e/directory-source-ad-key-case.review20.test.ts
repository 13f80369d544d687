import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guidToString } from '../../src/connectors/ad/guid.js';
import type { IngestResult } from '../../src/engine/types.js';
import {
  adPass, addAdOU, addAdPerson, AD_PERSON_FILTER, closeAdSourceWorld, memberChange, openAdSourceWorld, replaceValue, type AdSourceWorld,
} from '../support/ad-source-world.js';
import { startSamba, type RunningSamba } from '../support/samba.js';

/**
 * Review 20: an `ad` source whose employeeID values differ only in letter
 * case, against Samba (employeeID compares ignoring case there, as in AD).
 * The OpenLDAP paths of e24e0ed / e4d454b were tested against slapd; these
 * are the AD paths (objectGUID as the entry, the objectGUID -> key cursor,
 * Show Deleted tombstones, the holder check): a user retyping its own key is
 * the same person; another user holding a deleted person's key in another
 * case is a joiner and the person a leaver whose account keeps their name;
 * two users holding E7 / e7 at once are both problems and nobody leaves.
 */
let samba: RunningSamba;
let client: Client;

beforeAll(async () => {
  samba = await startSamba();
  client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await client.bind(samba.bindDN, samba.password);
}, 400_000);

afterAll(async () => {
  await client?.unbind();
  await samba?.stop();
});

const respelled = (result: IngestResult) => result.diagnostics.filter((d) => d.code === 'source.key_respelled');
const kinds = (result: IngestResult, id: string) => result.events.filter((e) => e.identityId === id).map((e) => e.kind);

async function guidOf(dn: string): Promise<string> {
  const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
  return guidToString(searchEntries[0]!.objectGUID as Buffer);
}

async function planAndApply(world: AdSourceWorld): Promise<void> {
  const plan = await world.engine.plan({ actor: 'test' });
  expect(plan.held).toBe(false);
  const result = await world.engine.apply(plan, { actor: 'test' });
  expect(result.errors).toEqual([]);
}

async function account(world: AdSourceWorld, identityId: string) {
  const links = await world.engine.store.accounts.listByIdentity(identityId);
  expect(links).toHaveLength(1);
  return { username: links[0]!.attributes['username'], enabled: links[0]!.enabled };
}

describe('ad source: keys that differ only in letter case (review 20, Samba)', () => {
  let world: AdSourceWorld;
  const user = (cn: string) => `CN=${cn},${world.base}`;

  beforeAll(async () => {
    const base = `OU=keycase,${samba.rosterOU}`;
    await addAdOU(client, base);
    world = await openAdSourceWorld(samba, 'keycase', base, { filter: AD_PERSON_FILTER, maxMissing: '50%' });
    for (const [cn, key] of [['kc-ada', 'KC7'], ['kc-alan', 'KC2'], ['kc-grace', 'KC8'], ['kc-joan', 'KC3']] as const) {
      await addAdPerson(client, `CN=${cn},${base}`, key);
    }
    expect(await adPass(world, 'full')).toMatchObject({ received: 4, created: 4, missing: 0 });
    await planAndApply(world);
  });
  afterAll(() => closeAdSourceWorld(world));

  it('every pass stores the objectGUID as the same GUID string (no version bump on a pass that changes nothing)', async () => {
    const grace = await world.engine.store.identities.get('KC8');
    expect(grace?.sourceEntry).toBe(await guidOf(user('kc-grace')));
    expect(await adPass(world, 'incremental')).toMatchObject({ received: 0, changed: 0 });
    expect(await adPass(world, 'full')).toMatchObject({ received: 4, changed: 0, created: 0 });
    await client.modify(user('kc-joan'), [replaceValue('sn', 'Changed')]);
    expect(await adPass(world, 'incremental')).toMatchObject({ received: 1, changed: 1 });
    // The incremental read (its own search, with the cursor's objectGUID map) gives the same string as the full one.
    const joan = await world.engine.store.identities.get('KC3');
    expect(joan?.sourceEntry).toBe(await guidOf(user('kc-joan')));
    expect(await adPass(world, 'full')).toMatchObject({ changed: 0 });
    expect((await world.engine.store.identities.get('KC8'))?.version).toBe(grace?.version);
    expect((await world.engine.store.identities.get('KC3'))?.version).toBe(joan?.version);
  });

  it('(a) the same user retyping its employeeID in another case keeps its identity and account', async () => {
    await client.modify(user('kc-grace'), [replaceValue('employeeID', 'kc8')]);
    const incremental = await adPass(world, 'incremental');
    expect(incremental).toMatchObject({ received: 1, created: 0, missing: 0, affected: ['KC8'] });
    expect(respelled(incremental)).toEqual([expect.objectContaining({ key: 'kc8', storedKey: 'KC8' })]);
    const full = await adPass(world, 'full');
    expect(full).toMatchObject({ received: 4, created: 0, missing: 0 });
    expect(await world.engine.store.identities.get('kc8')).toBeUndefined();
    expect(await world.engine.store.identities.get('KC8')).toMatchObject({ state: 'active', sourceEntry: await guidOf(user('kc-grace')) });
    await planAndApply(world);
    expect(await account(world, 'KC8')).toEqual({ username: 'kc-grace', enabled: true });
  });

  it('(b) Ada\'s user deleted, another user given her key in another case: a joiner, Ada a leaver whose account keeps her name', async () => {
    await client.del(user('kc-ada'));
    await addAdPerson(client, user('kc-bob'), 'kc7');
    const incremental = await adPass(world, 'incremental');
    expect(incremental).toMatchObject({ received: 1, created: 1, missing: 1 });
    expect(kinds(incremental, 'kc7')).toEqual(['joiner']);
    expect(kinds(incremental, 'KC7')).toEqual(['missing']);
    expect(respelled(incremental)).toEqual([expect.objectContaining({ key: 'kc7', storedKeys: ['KC7'], message: expect.stringContaining('another directory entry') })]);
    const full = await adPass(world, 'full');
    expect(full).toMatchObject({ created: 0, missing: 0 });
    expect(full.events.map((e) => e.kind)).not.toContain('returned');
    expect(await world.engine.store.identities.get('KC7')).toMatchObject({ state: 'terminated', attributes: { username: 'kc-ada' } });
    expect(await world.engine.store.identities.get('kc7')).toMatchObject({ state: 'active', attributes: { username: 'kc-bob' }, sourceEntry: await guidOf(user('kc-bob')) });
    await planAndApply(world);
    expect(await account(world, 'KC7')).toMatchObject({ username: 'kc-ada', enabled: false });
    expect(await account(world, 'kc7')).toEqual({ username: 'kc-bob', enabled: true });
  });

  it('(c) two users holding KC9 / kc9 at once: both problems, in the incremental pass and the full one; nobody leaves', async () => {
    await addAdPerson(client, user('kc-carol'), 'KC9');
    expect(await adPass(world, 'incremental')).toMatchObject({ received: 1, created: 1 });
    await planAndApply(world);
    const before = await world.engine.store.identities.get('KC9');
    await addAdPerson(client, user('kc-dave'), 'kc9');
    const incremental = await adPass(world, 'incremental');
    expect(incremental).toMatchObject({ created: 0, changed: 0, missing: 0, events: [] });
    expect(incremental.problems).toEqual([expect.objectContaining({ key: 'kc9', message: expect.stringContaining('also held by CN=kc-carol') })]);
    const full = await adPass(world, 'full');
    expect(full).toMatchObject({ created: 0, changed: 0, missing: 0, events: [] });
    expect(full.problems.map((p) => p.key).sort()).toEqual(['KC9', 'kc9']);
    expect(await world.engine.store.identities.get('KC9')).toEqual(before);
    expect(await world.engine.store.identities.get('kc9')).toBeUndefined();
    // The newcomer's user deleted: the person whose user still holds KC9 is not gone, in either kind of pass.
    await client.del(user('kc-dave'));
    expect(await adPass(world, 'incremental')).toMatchObject({ missing: 0, events: [] });
    expect(await adPass(world, 'full')).toMatchObject({ missing: 0, events: [] });
    expect(await world.engine.store.identities.get('KC9')).toMatchObject({ state: 'active' });
    await planAndApply(world);
    expect(await account(world, 'KC9')).toEqual({ username: 'kc-carol', enabled: true });
  });
});

describe('ad source by group: a key gone from one user while another, new to the filter, holds it in another case (review 20)', () => {
  let world: AdSourceWorld;
  let group = '';
  const user = (cn: string) => `CN=${cn},${world.base}`;

  beforeAll(async () => {
    const base = `OU=keycasegroup,${samba.rosterOU}`;
    await addAdOU(client, base);
    group = `CN=keycase-staff,${base}`;
    await client.add(group, { objectClass: ['top', 'group'], sAMAccountName: 'keycase-staff' });
    for (const [cn, key] of [['kg-ada', 'KG7'], ['kg-alan', 'KG2'], ['kg-joan', 'KG3'], ['kg-bob', 'kg7']] as const) {
      await addAdPerson(client, `CN=${cn},${base}`, key);
      if (cn !== 'kg-bob') await client.modify(group, [memberChange('add', `CN=${cn},${base}`)]);
    }
    const filter = `(&${AD_PERSON_FILTER}(memberOf=${group}))`;
    world = await openAdSourceWorld(samba, 'keycasegroup', base, { filter, maxMissing: '50%' });
    expect(await adPass(world, 'full')).toMatchObject({ received: 3, created: 3 });
    await planAndApply(world);
  });
  afterAll(() => closeAdSourceWorld(world));

  it('Ada deleted while Bob (kg7) joins the group: Ada is a leaver, Bob a joiner, at once; Ada\'s account never his', async () => {
    await client.modify(group, [memberChange('add', user('kg-bob'))]);
    await client.del(user('kg-ada'));
    const incremental = await adPass(world, 'incremental');
    // Bob's own uSNChanged did not move (memberOf is a back link): the pass finds him through the group's change.
    expect(incremental).toMatchObject({ created: 1, missing: 1 });
    expect(kinds(incremental, 'KG7')).toEqual(['missing']);
    expect(kinds(incremental, 'kg7')).toEqual(['joiner']);
    expect(await world.engine.store.identities.get('KG7')).toMatchObject({ state: 'terminated', attributes: { username: 'kg-ada' } });
    const full = await adPass(world, 'full');
    expect(full).toMatchObject({ created: 0, missing: 0, events: [] });
    await planAndApply(world);
    expect(await account(world, 'KG7')).toMatchObject({ username: 'kg-ada', enabled: false });
    expect(await account(world, 'kg7')).toEqual({ username: 'kg-bob', enabled: true });
    // Bob deleted in his turn: he leaves; Ada stays as she was.
    await client.del(user('kg-bob'));
    expect(kinds(await adPass(world, 'incremental'), 'kg7')).toEqual(['missing']);
    expect(await world.engine.store.identities.get('KG7')).toMatchObject({ state: 'terminated', attributes: { username: 'kg-ada' } });
  });
});
