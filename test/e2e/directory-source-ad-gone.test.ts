import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guidToBytes } from '../../src/connectors/ad/guid.js';
import { DirectoryReader } from '../../src/sources/directory/search.js';
import {
  AD_PERSON_PASSWORD, adPass, adStateOf, addAdOU, addAdPerson, closeAdSourceWorld, openAdSourceWorld, reopenAdSourceWorld, replaceValue,
  type AdSourceOptions, type AdSourceWorld,
} from '../support/ad-source-world.js';
import { startSamba, type RunningSamba } from '../support/samba.js';

/**
 * An `ad` source's incremental passes find leavers (Samba AD DC): a person
 * deleted (a tombstone, read with the Show Deleted control), moved out of
 * the base OU, or changed so the filter no longer matches is gone at once,
 * as syncrepl deletions are for OpenLDAP; a bind that may not read deleted
 * objects is warned and sees no deletions; maxMissing holds a mass deletion.
 */
let samba: RunningSamba;
let client: Client;
const FILTER = '(&(objectClass=user)(objectCategory=person)(employeeID=*)(!(department=Contractors)))';

type World = AdSourceWorld;
const pass = adPass;
const stateOf = adStateOf;
const addUser = (dn: string, employeeID: string) => addAdPerson(client, dn, employeeID);
const replace = replaceValue;
const stopWorld = closeAdSourceWorld;

/** An OU of `count` people (`<id>1`.. with keys `<ID>1`..) and an engine reading it as an ad source. */
async function startWorld(id: string, count: number, options: Omit<AdSourceOptions, 'filter'>): Promise<World> {
  const base = `OU=${id},${samba.rosterOU}`;
  await addAdOU(client, base);
  for (let i = 1; i <= count; i++) await addUser(`CN=${id}${i},${base}`, `${id.toUpperCase()}${i}`);
  return openAdSourceWorld(samba, id, base, { ...options, filter: FILTER });
}

type Cursor = { kind: string; usn: string; server: string; keys?: Record<string, string> };
const cursorOf = (world: World) => world.engine.store.state.get<Cursor>(`cursor:source:${world.id}`);
/** The warnings Roster's directory source logged (not the engine's "source diagnostics"). */
const deletedWarnings = (world: World) => world.warnings.filter((w) => w.includes('may not read deleted objects'));

// Waits while another test file holds the one Samba (its LDAP ports are fixed).
beforeAll(async () => {
  samba = await startSamba();
  client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await client.bind(samba.bindDN, samba.password);
  await client.add(`OU=GoneOutside,${samba.rosterOU}`, { objectClass: ['top', 'organizationalUnit'], ou: 'GoneOutside' });
}, 400_000);

afterAll(async () => {
  await client?.unbind();
  await samba?.stop();
});

describe('ad source incremental passes find leavers (Samba AD DC, a bind that may read deleted objects)', () => {
  let world: World;
  beforeAll(async () => { world = await startWorld('gone', 8, { maxMissing: '50%' }); });
  afterAll(async () => { await stopWorld(world); });

  it('a full pass stores objectGUID -> key for everyone it read', async () => {
    expect(await pass(world, 'full')).toMatchObject({ received: 8, created: 8, missing: 0 });
    const cursor = await cursorOf(world);
    expect(Object.values(cursor?.keys ?? {}).sort()).toEqual(['GONE1', 'GONE2', 'GONE3', 'GONE4', 'GONE5', 'GONE6', 'GONE7', 'GONE8']);
    for (const guid of Object.keys(cursor!.keys!)) expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('finds entries by objectGUID with the bytes as they are (bytes of 0x80 and up included)', async () => {
    const guids = Object.keys((await cursorOf(world))!.keys!);
    expect(guids.some((guid) => guidToBytes(guid).some((byte) => byte >= 0x80))).toBe(true);
    const source = world.engine.config.sources.find((s) => s.id === world.id)!;
    const reader = new DirectoryReader(world.id, source.connection!, world.dir);
    try {
      const found = await reader.guidsInScope(FILTER, [...guids, 'ffffffff-ffff-4fff-bfff-ffffffffffff']);
      expect([...found!].sort()).toEqual([...guids].sort());
    } finally {
      await reader.close();
    }
  });

  it('deleted, moved out of the base and filtered out are gone at once; a changed person is changed; the next pass reports nothing', async () => {
    await client.del(`CN=gone1,${world.base}`);
    await client.modifyDN(`CN=gone2,${world.base}`, `CN=gone2,OU=GoneOutside,${samba.rosterOU}`);
    await client.modify(`CN=gone3,${world.base}`, [replace('department', 'Contractors')]);
    await client.modify(`CN=gone4,${world.base}`, [replace('sn', 'Changed')]);
    const result = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 1, changed: 1, missing: 3, diagnostics: [] });
    expect(result.events.map((e) => [e.identityId, e.kind]).sort()).toEqual([['GONE1', 'missing'], ['GONE2', 'missing'], ['GONE3', 'missing'], ['GONE4', 'mover']]);
    for (const id of ['GONE1', 'GONE2', 'GONE3']) {
      const gone = await world.engine.store.identities.get(id);
      expect(gone).toMatchObject({ state: 'terminated' });
      expect(gone?.missingSince).toBeDefined();
    }
    expect((await world.engine.store.identities.get('GONE4'))?.attributes.familyName).toBe('Changed');
    expect(await stateOf(world, 'GONE5')).toBe('active');
    expect(Object.values((await cursorOf(world))?.keys ?? {}).sort()).toEqual(['GONE4', 'GONE5', 'GONE6', 'GONE7', 'GONE8']);
    expect(deletedWarnings(world)).toEqual([]);
    expect(await pass(world, 'incremental')).toMatchObject({ received: 0, changed: 0, missing: 0, diagnostics: [] });
  });

  it('a person moved back into the base comes back; one given another key is the same person under it (keyChanges: follow, review 22)', async () => {
    await client.modifyDN(`CN=gone2,OU=GoneOutside,${samba.rosterOU}`, `CN=gone2,${world.base}`);
    await client.modify(`CN=gone5,${world.base}`, [replace('employeeID', 'GONE55')]);
    const result = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 2, created: 0, missing: 0 });
    expect(result.events.filter((e) => e.identityId === 'GONE5').map((e) => e.reasons)).toEqual([['identity.rekeyed']]);
    expect(await stateOf(world, 'GONE5')).toBe('active');
    expect((await world.engine.store.identities.get('GONE5'))?.attributes.employeeID).toBe('GONE55');
    expect(await world.engine.store.identities.get('GONE55')).toBeUndefined();
    expect(Object.values((await cursorOf(world))?.keys ?? {}).sort()).toEqual(['GONE2', 'GONE4', 'GONE55', 'GONE6', 'GONE7', 'GONE8']);
  });

  it('a cursor stored before (USN and DC only) keeps working: no leavers until a full pass builds the map', async () => {
    const { keys: _keys, ...old } = (await cursorOf(world))!;
    await world.engine.store.state.set(`cursor:source:${world.id}`, old);
    await client.del(`CN=gone6,${world.base}`);
    expect(await pass(world, 'incremental')).toMatchObject({ received: 0, missing: 0 });
    expect((await cursorOf(world))?.keys).toBeUndefined();
    expect(await pass(world, 'full')).toMatchObject({ missing: 1 });
    expect(Object.values((await cursorOf(world))?.keys ?? {}).sort()).toEqual(['GONE2', 'GONE4', 'GONE55', 'GONE7', 'GONE8']);
  });
});

describe('ad source incremental passes: a mass deletion over maxMissing is held', () => {
  let world: World;
  beforeAll(async () => { world = await startWorld('mass', 6, { maxMissing: '1' }); });
  afterAll(async () => { await stopWorld(world); });

  it('holds the plan, marks nobody gone, keeps the cursor so the deletions are reported again, and lets them pass once allowed', async () => {
    await pass(world, 'full');
    const before = await cursorOf(world);
    for (const i of [1, 2, 3]) await client.del(`CN=mass${i},${world.base}`);
    const held = await pass(world, 'incremental');
    expect(held).toMatchObject({ missing: 0 });
    expect(held.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated', count: 3 })]);
    expect(await world.engine.store.state.get(`hold:source:${world.id}`)).toMatchObject({ code: 'safety.source_truncated', count: 3 });
    expect(await cursorOf(world)).toEqual(before);
    expect(await stateOf(world, 'MASS1')).toBe('active');
    const again = await pass(world, 'incremental');
    expect(again.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated', count: 3 })]);
    await reopenAdSourceWorld(samba, world, { maxMissing: '50%', filter: FILTER });
    expect(await pass(world, 'incremental')).toMatchObject({ missing: 3, diagnostics: [] });
    expect(await world.engine.store.state.get(`hold:source:${world.id}`)).toBeNull();
    expect(await stateOf(world, 'MASS1')).toBe('terminated');
  });
});

describe('ad source incremental passes: a bind that may not read deleted objects', () => {
  let world: World;
  beforeAll(async () => {
    const bindDN = `CN=roster-low,CN=Users,${samba.baseDN}`;
    await addUser(bindDN, 'LOW');
    world = await startWorld('low', 4, { maxMissing: '50%', bindDN, password: AD_PERSON_PASSWORD });
  });
  afterAll(async () => { await stopWorld(world); });

  it('warns once a pass, naming what to grant, and reports no deletion (a move out of the base still)', async () => {
    await pass(world, 'full');
    expect(Object.keys((await cursorOf(world))?.keys ?? {})).toHaveLength(4);
    await client.del(`CN=low1,${world.base}`);
    await client.modifyDN(`CN=low2,${world.base}`, `CN=low2,OU=GoneOutside,${samba.rosterOU}`);
    const result = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 0, missing: 1, diagnostics: [] });
    expect(await stateOf(world, 'LOW1')).toBe('active');
    expect(await stateOf(world, 'LOW2')).toBe('terminated');
    expect(deletedWarnings(world)).toEqual([expect.stringMatching(/List Contents and Read Property on CN=Deleted Objects,DC=example,DC=test.*"source":"low".*"bindDN":"CN=roster-low/)]);
    expect(await pass(world, 'incremental')).toMatchObject({ received: 0, missing: 0 });
    expect(deletedWarnings(world)).toHaveLength(2);
    // The deleted person is still known: the next full pass finds them missing.
    expect(await pass(world, 'full')).toMatchObject({ missing: 1 });
    expect(await stateOf(world, 'LOW1')).toBe('terminated');
  });
});
