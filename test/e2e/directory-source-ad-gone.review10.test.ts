import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DirectoryReader } from '../../src/sources/directory/search.js';
import {
  adPass, adStateOf, addAdOU, addAdPerson, closeAdSourceWorld, openAdSourceWorld, replaceValue, type AdSourceOptions, type AdSourceWorld,
} from '../support/ad-source-world.js';
import { startSamba, type RunningSamba } from '../support/samba.js';

/**
 * Review of `ad` leavers in incremental passes (commit 3422afb) against the
 * real Samba AD DC. The property: never a false leaver (an active person
 * reported gone), and an incremental pass never finds a leaver a full pass
 * would not.
 */
let samba: RunningSamba;
let client: Client;
const PERSON = '(&(objectClass=user)(objectCategory=person)(employeeID=*))';

type World = AdSourceWorld;
const pass = adPass;
const stateOf = adStateOf;
const addUser = (dn: string, employeeID: string, uac?: string) => addAdPerson(client, dn, employeeID, uac);
const addOU = (dn: string) => addAdOU(client, dn);
const replace = replaceValue;
const stopWorld = closeAdSourceWorld;
const startWorld = (id: string, base: string, options: Partial<AdSourceOptions>) => openAdSourceWorld(samba, id, base, { filter: PERSON, ...options });
async function usnOf(dn: string): Promise<string> {
  const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['uSNChanged'] });
  return String(searchEntries[0]?.['uSNChanged']);
}

beforeAll(async () => {
  samba = await startSamba();
  client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await client.bind(samba.bindDN, samba.password);
  await addOU(`OU=R10Outside,${samba.rosterOU}`);
}, 400_000);

afterAll(async () => {
  await client?.unbind();
  await samba?.stop();
});

describe('a source with complete: false', () => {
  let world: World;
  beforeAll(async () => {
    const base = `OU=part,${samba.rosterOU}`;
    await addOU(base);
    for (let i = 1; i <= 4; i++) await addUser(`CN=part${i},${base}`, `PART${i}`);
    world = await startWorld('part', base, { complete: false });
  });
  afterAll(async () => { await stopWorld(world); });

  it('a person moved out or deleted is not gone in an incremental pass, as a full pass does not find them missing', async () => {
    expect(await pass(world, 'full')).toMatchObject({ created: 4, missing: 0 });
    await client.modifyDN(`CN=part1,${world.base}`, `CN=part1,OU=R10Outside,${samba.rosterOU}`);
    await client.del(`CN=part2,${world.base}`);
    expect(await pass(world, 'incremental')).toMatchObject({ missing: 0 });
    expect(await stateOf(world, 'PART1')).toBe('active');
    expect(await stateOf(world, 'PART2')).toBe('active');
    // What a full pass finds: nobody missing (the source is not a complete list).
    expect(await pass(world, 'full')).toMatchObject({ missing: 0 });
    expect(await stateOf(world, 'PART1')).toBe('active');
  });
});

describe('a filter on group membership (memberOf: a member added to the group is not changed itself)', () => {
  let world: World;
  const group = () => `CN=R10Staff,OU=R10Outside,${samba.rosterOU}`;
  beforeAll(async () => {
    const base = `OU=memb,${samba.rosterOU}`;
    await addOU(base);
    await client.add(group(), { objectClass: ['top', 'group'], sAMAccountName: 'R10Staff' });
    for (let i = 1; i <= 4; i++) {
      await addUser(`CN=memb${i},${base}`, `MEMB${i}`);
      await client.modify(group(), [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`CN=memb${i},${base}`] }) })]);
    }
    world = await startWorld('memb', base, { filter: `(&${PERSON}(memberOf=${group()}))` });
  });
  afterAll(async () => { await stopWorld(world); });

  it('a person whose key a new account took over (added to the group later) is not gone when the old account is deleted', async () => {
    expect(await pass(world, 'full')).toMatchObject({ created: 4, missing: 0 });
    // A new account for MEMB1 (a name change), made before one pass and put in the group after it.
    const newDn = `CN=memb1new,${world.base}`;
    await addUser(newDn, 'MEMB1');
    expect(await pass(world, 'incremental')).toMatchObject({ received: 0, missing: 0 });
    const before = await usnOf(newDn);
    await client.modify(group(), [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [newDn] }) })]);
    // What makes this case: joining the group does not move the member's own uSNChanged, so no incremental pass reads it.
    expect(await usnOf(newDn)).toBe(before);
    await client.del(`CN=memb1,${world.base}`);
    const result = await pass(world, 'incremental');
    // A full pass now reads memb1new with MEMB1: MEMB1 is not missing.
    expect(result).toMatchObject({ missing: 0 });
    expect(await stateOf(world, 'MEMB1')).toBe('active');
    expect(await pass(world, 'full')).toMatchObject({ missing: 0 });
    expect(await stateOf(world, 'MEMB1')).toBe('active');
  });

  it('the new account, once known, is found leaving by the next incremental pass', async () => {
    await client.del(`CN=memb1new,${world.base}`);
    const result = await pass(world, 'incremental');
    expect(result.events.filter((e) => e.kind === 'missing').map((e) => e.identityId)).toEqual(['MEMB1']);
  });

  it('the held key taken back by an incremental pass: the new holder joins the map, and its leaving is found', async () => {
    const newDn = `CN=memb2new,${world.base}`;
    await addUser(newDn, 'MEMB2');
    await pass(world, 'incremental');
    await client.modify(group(), [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [newDn] }) })]);
    await client.del(`CN=memb2,${world.base}`);
    expect(await pass(world, 'incremental')).toMatchObject({ missing: 0 });
    const cursor = await world.engine.store.state.get<{ keys?: Record<string, string> }>(`cursor:source:${world.id}`);
    expect(Object.values(cursor?.keys ?? {}).filter((key) => key === 'MEMB2')).toHaveLength(1);
    await client.del(newDn);
    expect((await pass(world, 'incremental')).events.filter((e) => e.kind === 'missing').map((e) => e.identityId)).toEqual(['MEMB2']);
  });
});

describe('two entries holding one key, and a pass failing part-way', () => {
  let world: World;
  beforeAll(async () => {
    const base = `OU=dup,${samba.rosterOU}`;
    await addOU(base);
    for (let i = 1; i <= 4; i++) await addUser(`CN=dup${i},${base}`, `DUP${i}`);
    world = await startWorld('dup', base, {});
    await pass(world, 'full');
    await addUser(`CN=dup1b,${base}`, 'DUP1');
  });
  afterAll(async () => { await stopWorld(world); });

  it('one of two holders deleted: the key is not gone; the other deleted too: it is', async () => {
    await pass(world, 'full');
    await client.del(`CN=dup1,${world.base}`);
    expect(await pass(world, 'incremental')).toMatchObject({ missing: 0 });
    expect(await stateOf(world, 'DUP1')).toBe('active');
    await client.del(`CN=dup1b,${world.base}`);
    expect((await pass(world, 'incremental')).events.filter((e) => e.kind === 'missing').map((e) => e.identityId)).toEqual(['DUP1']);
  });

  it('a pass failing after the domain search, or after its own: nobody gone, the cursor kept, and the next pass finds the leaver', async () => {
    const cursor = await world.engine.store.state.get(`cursor:source:${world.id}`);
    await client.del(`CN=dup2,${world.base}`);
    const search = vi.spyOn(DirectoryReader.prototype, 'search').mockRejectedValueOnce(new Error('connection closed'));
    await expect(pass(world, 'incremental')).rejects.toThrow();
    search.mockRestore();
    const confirm = vi.spyOn(DirectoryReader.prototype, 'guidsInScope').mockRejectedValueOnce(new Error('connection closed'));
    await expect(pass(world, 'incremental')).rejects.toThrow();
    confirm.mockRestore();
    expect(await world.engine.store.state.get(`cursor:source:${world.id}`)).toEqual(cursor);
    expect(await stateOf(world, 'DUP2')).toBe('active');
    expect((await pass(world, 'incremental')).events.filter((e) => e.kind === 'missing').map((e) => e.identityId)).toEqual(['DUP2']);
  });
});

describe('a base OU whose name needs escaping, objectCategory and a filter leaving out disabled accounts', () => {
  let world: World;
  const ENABLED = `(&(objectCategory=person)(objectClass=user)(employeeID=*)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))`;
  beforeAll(async () => {
    const base = `OU=Zoë\\, 李\\+R&D,${samba.rosterOU}`;
    await addOU(base);
    await addOU(`OU=Sub A,${base}`);
    await addOU(`OU=Sub\\,B,${base}`);
    for (let i = 1; i <= 6; i++) await addUser(`CN=esc${i},OU=Sub A,${base}`, `ESC${i}`);
    world = await startWorld('esc', base, { filter: ENABLED, pageSize: 1 });
  });
  afterAll(async () => { await stopWorld(world); });

  it('renames and moves inside the base are no leavers; a disabled account is gone, as a full pass finds it', async () => {
    expect(await pass(world, 'full')).toMatchObject({ created: 6, missing: 0 });
    await client.modifyDN(`CN=esc1,OU=Sub A,${world.base}`, `CN=esc1 renamed,OU=Sub A,${world.base}`);
    await client.modifyDN(`CN=esc2,OU=Sub A,${world.base}`, `CN=esc2,OU=Sub\\,B,${world.base}`);
    await client.modifyDN(`CN=esc3,OU=Sub A,${world.base}`, `CN=esc3 Zoë 李,OU=Sub\\,B,${world.base}`);
    await client.modify(`CN=esc4,OU=Sub A,${world.base}`, [replace('userAccountControl', '514')]);
    const result = await pass(world, 'incremental');
    expect(result.events.filter((e) => e.kind === 'missing').map((e) => e.identityId)).toEqual(['ESC4']);
    for (const id of ['ESC1', 'ESC2', 'ESC3', 'ESC5', 'ESC6']) expect(await stateOf(world, id)).toBe('active');
    expect(await stateOf(world, 'ESC4')).toBe('terminated');
    // The full pass agrees: nobody else missing.
    expect(await pass(world, 'full')).toMatchObject({ missing: 0 });
  });

  it('moved out and back in between two passes: not gone; moved out then deleted: gone', async () => {
    await client.modifyDN(`CN=esc5,OU=Sub A,${world.base}`, `CN=esc5,OU=R10Outside,${samba.rosterOU}`);
    await client.modifyDN(`CN=esc5,OU=R10Outside,${samba.rosterOU}`, `CN=esc5,OU=Sub A,${world.base}`);
    await client.modifyDN(`CN=esc6,OU=Sub A,${world.base}`, `CN=esc6,OU=R10Outside,${samba.rosterOU}`);
    await client.del(`CN=esc6,OU=R10Outside,${samba.rosterOU}`);
    const result = await pass(world, 'incremental');
    expect(result.events.filter((e) => e.kind === 'missing').map((e) => e.identityId)).toEqual(['ESC6']);
    expect(await stateOf(world, 'ESC5')).toBe('active');
  });
});

describe('a key that changes case', () => {
  let world: World;
  beforeAll(async () => {
    const base = `OU=kcase,${samba.rosterOU}`;
    await addOU(base);
    for (let i = 1; i <= 3; i++) await addUser(`CN=kcase${i},${base}`, `KCASE${i}`);
    world = await startWorld('kcase', base, {});
  });
  afterAll(async () => { await stopWorld(world); });

  it('is the same person, in an incremental pass as in a full one (AD compares employeeID ignoring case; lifecycle/respelled.ts)', async () => {
    await pass(world, 'full');
    await client.modify(`CN=kcase1,${world.base}`, [replace('employeeID', 'kcase1')]);
    const incremental = await pass(world, 'incremental');
    expect(incremental).toMatchObject({ missing: 0, created: 0 });
    expect(incremental.events.map((e) => e.kind)).not.toContain('joiner');
    expect(incremental.diagnostics).toEqual([expect.objectContaining({ code: 'source.key_respelled', key: 'kcase1', storedKey: 'KCASE1' })]);
    expect(await stateOf(world, 'KCASE1')).toBe('active');
    // The same change seen by a full pass: the same person, nobody gone, nobody new.
    expect(await pass(world, 'full')).toMatchObject({ missing: 0, created: 0 });
    expect(await stateOf(world, 'KCASE1')).toBe('active');
  });
});

describe('concurrent renames, moves inside the base and edits while passes page one entry at a time', () => {
  let world: World;
  const COUNT = 10;
  beforeAll(async () => {
    const base = `OU=churn,${samba.rosterOU}`;
    await addOU(base);
    await addOU(`OU=A,${base}`);
    await addOU(`OU=B,${base}`);
    for (let i = 1; i <= COUNT; i++) await addUser(`CN=churn${i}-0,OU=A,${base}`, `CHURN${i}`);
    world = await startWorld('churn', base, { pageSize: 1, maxMissing: '100%' });
  });
  afterAll(async () => { await stopWorld(world); });

  it('never reports an active person gone', async () => {
    expect(await pass(world, 'full')).toMatchObject({ created: COUNT });
    const where = new Map<number, string>();
    for (let i = 1; i <= COUNT; i++) where.set(i, `CN=churn${i}-0,OU=A,${world.base}`);
    let running = true;
    let edits = 0;
    const edit = (async () => {
      let n = 0;
      while (running) {
        n += 1;
        const i = (n % COUNT) + 1;
        const dn = where.get(i)!;
        const ou = dn.includes(',OU=A,') ? 'B' : 'A';
        const next = `CN=churn${i}-${n},OU=${ou},${world.base}`;
        if (n % 3 === 0) await client.modify(dn, [replace('sn', `S${n}`)]);
        else {
          await client.modifyDN(dn, next);
          where.set(i, next);
        }
        edits += 1;
      }
    })();
    const missing: string[] = [];
    try {
      for (let p = 0; p < 25; p++) {
        const result = await pass(world, 'incremental');
        missing.push(...result.events.filter((e) => e.kind === 'missing').map((e) => e.identityId));
      }
    } finally {
      running = false;
      await edit;
    }
    expect(edits).toBeGreaterThan(25);
    expect(missing).toEqual([]);
    for (let i = 1; i <= COUNT; i++) expect(await stateOf(world, `CHURN${i}`)).toBe('active');
    // A real leaver among the churn is found by the next incremental pass.
    await client.del(where.get(1)!);
    expect((await pass(world, 'incremental')).events.filter((e) => e.kind === 'missing').map((e) => e.identityId)).toEqual(['CHURN1']);
  }, 120_000);
});
