import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AD_IN_CHAIN, AD_PERSON_FILTER, adPass, adStateOf, addAdOU, memberChange, missingIn, addAdPerson, closeAdSourceWorld, openAdSourceWorld, type AdSourceWorld,
} from '../support/ad-source-world.js';
import { startSamba, type RunningSamba } from '../support/samba.js';

/**
 * Review of commit 911c66f (an `ad` source whose filter depends on group
 * membership reads in full when a group it names changed) against the real
 * Samba AD DC: group DNs with escapes and non-ASCII, nested group cycles,
 * nested groups deleted out of the chain.
 */
let samba: RunningSamba;
let client: Client;
const PERSON = AD_PERSON_FILTER;
const IN_CHAIN = AD_IN_CHAIN;

const member = memberChange;
const groups = () => `OU=R11Groups,${samba.rosterOU}`;
async function addGroup(dn: string, name: string): Promise<void> {
  await client.add(dn, { objectClass: ['top', 'group'], sAMAccountName: name });
}

beforeAll(async () => {
  samba = await startSamba();
  client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await client.bind(samba.bindDN, samba.password);
  await addAdOU(client, groups());
}, 400_000);

afterAll(async () => {
  await client?.unbind();
  await samba?.stop();
});

describe('a group DN with escaped characters and non-ASCII in the filter', () => {
  let world: AdSourceWorld;
  const base = () => `OU=r11esc,${samba.rosterOU}`;
  // The DN as the directory writes it, and as the filter must write it (the DN's backslash and parentheses escaped for the filter).
  const group = () => `CN=Zoë\\, R&D (UK),${groups()}`;
  const inFilter = () => `CN=Zoë\\5c, R&D \\28UK\\29,${groups()}`;
  beforeAll(async () => {
    await addAdOU(client, base());
    await addGroup(group(), 'R11Zoe');
    for (let i = 1; i <= 3; i++) {
      await addAdPerson(client, `CN=r11esc${i},${base()}`, `R11ESC${i}`);
      await client.modify(group(), [member('add', `CN=r11esc${i},${base()}`)]);
    }
    world = await openAdSourceWorld(samba, 'r11esc', base(), { filter: `(&${PERSON}(memberOf=${inFilter()}))`, maxMissing: '100%' });
  });
  afterAll(async () => { await closeAdSourceWorld(world); });

  it('reads the group, stays incremental while it is unchanged, and finds a person taken out of it gone', async () => {
    expect(await adPass(world, 'full')).toMatchObject({ received: 3, created: 3 });
    // Unchanged group: an incremental pass reads nobody (it did not fall back to a full pass of 3).
    expect(await adPass(world, 'incremental')).toMatchObject({ received: 0, missing: 0 });
    await client.modify(group(), [member('delete', `CN=r11esc2,${base()}`)]);
    const result = await adPass(world, 'incremental');
    expect(missingIn(result)).toEqual(['R11ESC2']);
    expect(await adStateOf(world, 'R11ESC1')).toBe('active');
  });
});

describe('a cycle of nested groups under the in-chain rule', () => {
  let world: AdSourceWorld;
  const base = () => `OU=r11cyc,${samba.rosterOU}`;
  const a = () => `CN=R11CycA,${groups()}`;
  const b = () => `CN=R11CycB,${groups()}`;
  beforeAll(async () => {
    await addAdOU(client, base());
    await addGroup(a(), 'R11CycA');
    await addGroup(b(), 'R11CycB');
    await client.modify(a(), [member('add', b())]);
    await client.modify(b(), [member('add', a())]);
    for (let i = 1; i <= 2; i++) await addAdPerson(client, `CN=r11cyc${i},${base()}`, `R11CYC${i}`);
    await client.modify(b(), [member('add', `CN=r11cyc1,${base()}`), member('add', `CN=r11cyc2,${base()}`)]);
    world = await openAdSourceWorld(samba, 'r11cyc', base(), { filter: `(&${PERSON}(memberOf:${IN_CHAIN}:=${a()}))`, maxMissing: '100%' });
  });
  afterAll(async () => { await closeAdSourceWorld(world); });

  it('ends, stays incremental while nothing changes, and finds a person taken out of the inner group gone', async () => {
    expect(await adPass(world, 'full')).toMatchObject({ received: 2, created: 2 });
    expect(await adPass(world, 'incremental')).toMatchObject({ received: 0, missing: 0 });
    await client.modify(b(), [member('delete', `CN=r11cyc2,${base()}`)]);
    expect(missingIn(await adPass(world, 'incremental'))).toEqual(['R11CYC2']);
    expect(await adStateOf(world, 'R11CYC1')).toBe('active');
  });
});

describe('a nested group deleted takes its members out of the chain', () => {
  let world: AdSourceWorld;
  const base = () => `OU=r11del,${samba.rosterOU}`;
  const top = () => `CN=R11DelTop,${groups()}`;
  const mid = () => `CN=R11DelMid,${groups()}`;
  const low = () => `CN=R11DelLow,${groups()}`;
  beforeAll(async () => {
    await addAdOU(client, base());
    for (const [dn, name] of [[top(), 'R11DelTop'], [mid(), 'R11DelMid'], [low(), 'R11DelLow']] as const) await addGroup(dn, name);
    await client.modify(top(), [member('add', mid())]);
    await client.modify(mid(), [member('add', low())]);
    for (let i = 1; i <= 4; i++) await addAdPerson(client, `CN=r11del${i},${base()}`, `R11DEL${i}`);
    await client.modify(top(), [member('add', `CN=r11del1,${base()}`), member('add', `CN=r11del2,${base()}`)]);
    await client.modify(mid(), [member('add', `CN=r11del3,${base()}`)]);
    await client.modify(low(), [member('add', `CN=r11del4,${base()}`)]);
    world = await openAdSourceWorld(samba, 'r11del', base(), { filter: `(&${PERSON}(memberOf:${IN_CHAIN}:=${top()}))`, maxMissing: '100%' });
  });
  afterAll(async () => { await closeAdSourceWorld(world); });

  it('the innermost group deleted: its member is gone at the next incremental pass', async () => {
    expect(await adPass(world, 'full')).toMatchObject({ received: 4, created: 4 });
    await client.del(low());
    expect(missingIn(await adPass(world, 'incremental'))).toEqual(['R11DEL4']);
    expect(await adStateOf(world, 'R11DEL3')).toBe('active');
  });

  it('a group between the named one and a person deleted: the person is gone at the next incremental pass', async () => {
    await client.del(mid());
    expect(missingIn(await adPass(world, 'incremental'))).toEqual(['R11DEL3']);
    for (const id of ['R11DEL1', 'R11DEL2']) expect(await adStateOf(world, id)).toBe('active');
  });
});
