import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AD_IN_CHAIN, AD_PERSON_FILTER, adPass, adStateOf, addAdOU, memberChange, missingIn, addAdPerson, closeAdSourceWorld, openAdSourceWorld, reopenAdSourceWorld, type AdSourceWorld,
} from '../support/ad-source-world.js';
import { startSamba, type RunningSamba } from '../support/samba.js';

/**
 * An `ad` source whose filter selects people by group membership, against
 * the real Samba AD DC. Joining or leaving a group changes the group, not
 * the person (memberOf is a back link), so an incremental pass that reads
 * the people changed since its cursor would not see them come or go: a
 * leaver would keep their accounts until the next full pass. A pass whose
 * filter names a group that changed reads in full.
 */
let samba: RunningSamba;
let client: Client;
const PERSON = AD_PERSON_FILTER;
const IN_CHAIN = AD_IN_CHAIN;

const member = memberChange;
async function usnOf(dn: string): Promise<string> {
  const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['uSNChanged'] });
  return String(searchEntries[0]?.['uSNChanged']);
}

beforeAll(async () => {
  samba = await startSamba();
  client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await client.bind(samba.bindDN, samba.password);
  await addAdOU(client, `OU=GrpGroups,${samba.rosterOU}`);
}, 400_000);

afterAll(async () => {
  await client?.unbind();
  await samba?.stop();
});

describe('a filter on direct membership: (memberOf=G)', () => {
  let world: AdSourceWorld;
  const base = () => `OU=grp,${samba.rosterOU}`;
  const group = () => `CN=GrpStaff,OU=GrpGroups,${samba.rosterOU}`;
  beforeAll(async () => {
    await addAdOU(client, base());
    await client.add(group(), { objectClass: ['top', 'group'], sAMAccountName: 'GrpStaff' });
    for (let i = 1; i <= 4; i++) {
      await addAdPerson(client, `CN=grp${i},${base()}`, `GRP${i}`);
      await client.modify(group(), [member('add', `CN=grp${i},${base()}`)]);
    }
    await addAdPerson(client, `CN=grp5,${base()}`, 'GRP5');
    world = await openAdSourceWorld(samba, 'grp', base(), { filter: `(&${PERSON}(memberOf=${group()}))`, maxMissing: '100%' });
  });
  afterAll(async () => { await closeAdSourceWorld(world); });

  it('stays incremental while the group does not change', async () => {
    expect(await adPass(world, 'full')).toMatchObject({ received: 4, created: 4, missing: 0 });
    await client.modify(`CN=grp1,${base()}`, [new Change({ operation: 'replace', modification: new Attribute({ type: 'department', values: ['Sales'] }) })]);
    expect(await adPass(world, 'incremental')).toMatchObject({ received: 1, missing: 0 });
  });

  it('finds a person taken out of the group gone at the next incremental pass', async () => {
    const before = await usnOf(`CN=grp3,${base()}`);
    await client.modify(group(), [member('delete', `CN=grp3,${base()}`)]);
    // What makes this case: leaving the group does not move the person's own uSNChanged.
    expect(await usnOf(`CN=grp3,${base()}`)).toBe(before);
    const result = await adPass(world, 'incremental');
    expect(missingIn(result)).toEqual(['GRP3']);
    expect(await adStateOf(world, 'GRP3')).not.toBe('active');
    expect(await adStateOf(world, 'GRP1')).toBe('active');
    // And the pass after it, with the group unchanged since, is incremental again and finds nobody else gone.
    expect(await adPass(world, 'incremental')).toMatchObject({ received: 0, missing: 0 });
  });

  it('finds a person put into the group a joiner at the next incremental pass', async () => {
    expect(await adStateOf(world, 'GRP5')).toBeUndefined();
    await client.modify(group(), [member('add', `CN=grp5,${base()}`)]);
    const result = await adPass(world, 'incremental');
    expect(result).toMatchObject({ missing: 0 });
    expect(await adStateOf(world, 'GRP5')).toBe('active');
  });

  it('when the group itself is deleted the filter matches nobody: the pass reads in full and is held as truncated, nobody gone', async () => {
    await client.del(group());
    const result = await adPass(world, 'incremental');
    expect(missingIn(result)).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toContain('source.truncated');
    for (const id of ['GRP1', 'GRP2', 'GRP4', 'GRP5']) expect(await adStateOf(world, id)).toBe('active');
  });
});

describe('a pass a group change makes full, held by maxMissing', () => {
  let world: AdSourceWorld;
  const base = () => `OU=held,${samba.rosterOU}`;
  const group = () => `CN=HeldStaff,OU=GrpGroups,${samba.rosterOU}`;
  const filter = () => `(&${PERSON}(memberOf=${group()}))`;
  beforeAll(async () => {
    await addAdOU(client, base());
    await client.add(group(), { objectClass: ['top', 'group'], sAMAccountName: 'HeldStaff' });
    for (let i = 1; i <= 4; i++) {
      await addAdPerson(client, `CN=held${i},${base()}`, `HELD${i}`);
      await client.modify(group(), [member('add', `CN=held${i},${base()}`)]);
    }
    world = await openAdSourceWorld(samba, 'held', base(), { filter: filter(), maxMissing: '50%' });
  });
  afterAll(async () => { await closeAdSourceWorld(world); });

  it('keeps its cursor, so the pass after maxMissing is raised reads in full again and finds the leavers', async () => {
    expect(await adPass(world, 'full')).toMatchObject({ created: 4 });
    await client.modify(group(), [1, 2, 3].map((i) => member('delete', `CN=held${i},${base()}`)));
    const held = await adPass(world, 'incremental');
    expect(held.diagnostics.map((d) => d.code)).toContain('source.truncated');
    expect(missingIn(held)).toEqual([]);
    // Held again while nothing changes: the hold is not lifted by a pass that no longer looks.
    expect((await adPass(world, 'incremental')).diagnostics.map((d) => d.code)).toContain('source.truncated');
    await reopenAdSourceWorld(samba, world, { filter: filter(), maxMissing: '100%' });
    const result = await adPass(world, 'incremental');
    expect(missingIn(result).sort()).toEqual(['HELD1', 'HELD2', 'HELD3']);
    expect(await adStateOf(world, 'HELD4')).toBe('active');
  });
});

describe('a filter on membership at any depth: (memberOf:1.2.840.113556.1.4.1941:=G)', () => {
  let world: AdSourceWorld;
  const base = () => `OU=nest,${samba.rosterOU}`;
  const top = () => `CN=NestAll,OU=GrpGroups,${samba.rosterOU}`;
  const sub = () => `CN=NestTeam,OU=GrpGroups,${samba.rosterOU}`;
  const subsub = () => `CN=NestSquad,OU=GrpGroups,${samba.rosterOU}`;
  beforeAll(async () => {
    await addAdOU(client, base());
    for (const [dn, name] of [[top(), 'NestAll'], [sub(), 'NestTeam'], [subsub(), 'NestSquad']] as const) {
      await client.add(dn, { objectClass: ['top', 'group'], sAMAccountName: name });
    }
    await client.modify(top(), [member('add', sub())]);
    await client.modify(sub(), [member('add', subsub())]);
    for (let i = 1; i <= 3; i++) await addAdPerson(client, `CN=nest${i},${base()}`, `NEST${i}`);
    await client.modify(sub(), [member('add', `CN=nest1,${base()}`)]);
    await client.modify(subsub(), [member('add', `CN=nest2,${base()}`)]);
    world = await openAdSourceWorld(samba, 'nest', base(), { filter: `(&${PERSON}(memberOf:${IN_CHAIN}:=${top()}))`, maxMissing: '100%' });
  });
  afterAll(async () => { await closeAdSourceWorld(world); });

  it('reads the members of nested groups, and stays incremental while no group in the chain changes', async () => {
    expect(await adPass(world, 'full')).toMatchObject({ received: 2, created: 2 });
    // A group outside the chain changing does not make the pass read in full.
    await client.add(`CN=NestOther,OU=GrpGroups,${samba.rosterOU}`, { objectClass: ['top', 'group'], sAMAccountName: 'NestOther' });
    expect(await adPass(world, 'incremental')).toMatchObject({ received: 0, missing: 0 });
  });

  it('finds a person taken out of a group two levels down gone, and one put into it a joiner', async () => {
    // The top group does not change: only the innermost one does.
    const topBefore = await usnOf(top());
    await client.modify(subsub(), [member('delete', `CN=nest2,${base()}`), member('add', `CN=nest3,${base()}`)]);
    expect(await usnOf(top())).toBe(topBefore);
    const result = await adPass(world, 'incremental');
    expect(missingIn(result)).toEqual(['NEST2']);
    expect(await adStateOf(world, 'NEST3')).toBe('active');
    expect(await adStateOf(world, 'NEST1')).toBe('active');
  });

  it('finds the members of a nested group gone when that group leaves the chain', async () => {
    await client.modify(sub(), [member('delete', subsub())]);
    const result = await adPass(world, 'incremental');
    expect(missingIn(result)).toEqual(['NEST3']);
    expect(await adStateOf(world, 'NEST1')).toBe('active');
  });
});
