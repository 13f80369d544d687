import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { silentLogger } from '../../src/core/log.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import { LDAP_OP, startLdapCounter, type LdapCounter } from '../support/ldap-counter.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';

/**
 * An OpenLDAP source with `changes: syncrepl` (RFC 4533 refreshOnly against
 * syncprov): adds, changes, renames and deletions read incrementally, the
 * entries the server sent counted on the wire by a proxy.
 */
interface World {
  readonly slapd: RunningSlapd;
  readonly counter: LdapCounter;
  readonly client: Client;
  readonly dir: string;
  readonly warnings: string[];
  readonly log: Logger;
  engine: RosterEngine;
}

const SYNC_STATE = '1.3.6.1.4.1.4203.1.9.1.2';
const people = (slapd: RunningSlapd) => `ou=people,${slapd.suffix}`;

function person(uid: string, employeeNumber: string | undefined, extra: Record<string, string> = {}) {
  return {
    objectClass: ['inetOrgPerson'], uid, cn: uid, sn: `Surname ${uid}`, givenName: `Given ${uid}`, mail: `${uid}@example.com`,
    ...(employeeNumber === undefined ? {} : { employeeNumber }), ...extra,
  };
}

async function open(world: Pick<World, 'dir' | 'slapd' | 'log'>): Promise<RosterEngine> {
  return await openEngine(join(world.dir, 'roster.yaml'), { env: { LDAP_PASSWORD: world.slapd.password }, log: world.log }) as RosterEngine;
}

async function startWorld(syncprov: { sessionlog: number; reloadHint?: boolean }, count: number, maxMissing = '50%'): Promise<World> {
  const slapd = await startSlapd({ randomPort: true, syncprov });
  const counter = await startLdapCounter(slapd.url);
  const client = new Client({ url: slapd.url });
  await client.bind(slapd.bindDN, slapd.password);
  for (let i = 1; i <= count; i++) await client.add(`uid=p${i},${people(slapd)}`, person(`p${i}`, `E${i}`));
  const dir = mkdtempSync(join(tmpdir(), 'roster-dirsrc-sync-'));
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - id: corp
    type: ldap
    key: employeeNumber
    changes: syncrepl
    maxMissing: ${maxMissing}
    connection:
      url: ${counter.url}
      bindDN: ${slapd.bindDN}
      password: \${env:LDAP_PASSWORD}
      base: ${people(slapd)}
    attributes: { givenName: givenName, familyName: sn, email: mail }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeNumber, email: identity.email }
`);
  const warnings: string[] = [];
  const log: Logger = { ...silentLogger, warn: (message, fields) => { warnings.push(`${message} ${JSON.stringify(fields)}`); } };
  const world = { slapd, counter, client, dir, warnings, log };
  return { ...world, engine: await open(world) };
}

async function stopWorld(world: World | undefined): Promise<void> {
  await world?.engine.close();
  await world?.client.unbind();
  await world?.counter.close();
  await world?.slapd.stop();
  if (world !== undefined) rmSync(world.dir, { recursive: true, force: true });
}

/** One pass, with the Sync State entries and Sync Info messages the server sent for it. */
async function pass(world: World, mode: 'full' | 'incremental') {
  world.counter.reset();
  const result = await world.engine.readSource('corp', 'test', { mode });
  // Entries of the sync search only (they carry a Sync State control), not of the holder and manager look-ups.
  return { result, entries: world.counter.count(LDAP_OP.searchResultEntry, SYNC_STATE), infos: world.counter.count(LDAP_OP.intermediateResponse) };
}

async function cursorOf(world: World): Promise<{ kind: string; cookie: string; keys: Record<string, string> } | undefined> {
  return world.engine.store.state.get('cursor:source:corp');
}

describe('ldap source with changes: syncrepl (slapd with syncprov and a session log)', () => {
  let world: World;
  beforeAll(async () => { world = await startWorld({ sessionlog: 100, reloadHint: true }, 10); });
  afterAll(async () => { await stopWorld(world); });

  it('the first pass syncs every entry, a complete batch, and stores the cookie and the keys by entryUUID', async () => {
    const { result, entries } = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 10, created: 10, missing: 0 });
    expect(entries).toBe(10);
    const cursor = await cursorOf(world);
    expect(cursor?.kind).toBe('sync');
    expect(Buffer.from(cursor!.cookie, 'base64').toString()).toMatch(/^rid=000,csn=\d{14}\.\d{6}Z#/);
    expect(Object.values(cursor!.keys).sort()).toEqual(['E1', 'E10', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9']);
  });

  it('adds, changes and renames come over alone; a renamed entry keeps its person', async () => {
    const base = people(world.slapd);
    await world.client.add(`uid=p11,${base}`, person('p11', 'E11'));
    await world.client.modify(`uid=p3,${base}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'sn', values: ['Changed'] }) }));
    await world.client.modifyDN(`uid=p5,${base}`, `uid=p5b`);
    const { result, entries, infos } = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 3, created: 1, changed: 1, unchanged: 1, missing: 0 });
    expect(entries).toBe(3);
    expect(infos).toBe(0);
    expect((await world.engine.store.identities.get('E3'))?.attributes.familyName).toBe('Changed');
    expect((await world.engine.store.identities.get('E5'))?.state).toBe('active');
    const nothing = await pass(world, 'incremental');
    expect(nothing).toMatchObject({ result: { received: 0, missing: 0 }, entries: 0 });
  });

  it('a deleted entry and one moved out of the base are leavers at once, without a full pass', async () => {
    await world.client.del(`uid=p4,${people(world.slapd)}`);
    await world.client.modifyDN(`uid=p6,${people(world.slapd)}`, `uid=p6,ou=disabled,${world.slapd.suffix}`);
    const { result, entries, infos } = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 0, missing: 2 });
    expect(entries).toBe(0);
    expect(infos).toBeGreaterThan(0);
    for (const id of ['E4', 'E6']) {
      const gone = await world.engine.store.identities.get(id);
      expect(gone?.state).toBe('terminated');
      expect(gone?.missingSince).toBeDefined();
    }
    expect((await world.engine.store.identities.get('E7'))?.state).toBe('active');
    expect(Object.values((await cursorOf(world))!.keys)).not.toContain('E4');
  });

  it('a changed key is the same person under the new key (keyChanges: follow, review 22): no joiner, no leaver', async () => {
    await world.client.modify(`uid=p7,${people(world.slapd)}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'employeeNumber', values: ['E77'] }) }));
    const { result, entries } = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 1, created: 0, missing: 0 });
    expect(result.events.map((e) => e.reasons)).toEqual([['identity.rekeyed']]);
    expect(entries).toBe(1);
    expect(await world.engine.store.identities.get('E7')).toMatchObject({ state: 'active', attributes: { employeeNumber: 'E77' } });
    expect(await world.engine.store.identities.get('E77')).toBeUndefined();
  });

  it('more deletions at once than maxMissing hold the plan, and the cookie stays so they are read again', async () => {
    const before = await cursorOf(world);
    for (const uid of ['p1', 'p2', 'p8', 'p9', 'p10']) await world.client.del(`uid=${uid},${people(world.slapd)}`);
    const held = await pass(world, 'incremental');
    expect(held.result).toMatchObject({ missing: 0 });
    expect(held.result.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated', count: 5 })]);
    expect(await world.engine.store.state.get('hold:source:corp')).toMatchObject({ code: 'safety.source_truncated', count: 5 });
    expect(await cursorOf(world)).toEqual(before);
    expect((await world.engine.store.identities.get('E1'))?.state).toBe('active');
    const again = await pass(world, 'incremental');
    expect(again.result.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated', count: 5 })]);
  });

  it('resumes from the stored cookie after a restart (of Roster and of slapd)', async () => {
    for (const uid of ['p1', 'p2', 'p8', 'p9', 'p10']) await world.client.add(`uid=${uid},${people(world.slapd)}`, person(uid, `E${uid.slice(1)}`));
    await world.engine.close();
    await world.client.unbind();
    await world.slapd.restart();
    await world.client.bind(world.slapd.bindDN, world.slapd.password);
    world.engine = await open(world);
    const settled = await pass(world, 'incremental');
    // The five deleted and added again: new entries (new entryUUIDs) holding the same keys, so nobody is gone.
    expect(settled.result).toMatchObject({ received: 5, missing: 0, diagnostics: [] });
    expect(settled.entries).toBe(5);
    expect(await world.engine.store.state.get('hold:source:corp')).toBeNull();
    await world.client.modify(`uid=p9,${people(world.slapd)}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'mail', values: ['nine@example.com'] }) }));
    const { result, entries } = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 1, changed: 1, missing: 0 });
    expect(entries).toBe(1);
  });

  it('a cookie the server refuses (e-syncRefreshRequired) falls back to a full refresh, with a warning', async () => {
    const cursor = (await cursorOf(world))!;
    const stale = Buffer.from('rid=000,csn=20000101000000.000000Z#000000#000#000000').toString('base64');
    await world.engine.store.state.set('cursor:source:corp', { ...cursor, cookie: stale });
    world.warnings.length = 0;
    const { result, entries } = await pass(world, 'incremental');
    expect(world.warnings).toEqual([expect.stringMatching(/refused the sync cookie.*"source":"corp".*4096/)]);
    expect(entries).toBe(9);
    expect(result).toMatchObject({ received: 9, missing: 0 });
    expect((await cursorOf(world))?.cookie).not.toBe(stale);
  });

  it('a full pass is a sync without a cookie: every entry, deletions found as by any full pass', async () => {
    const { result, entries } = await pass(world, 'full');
    expect(entries).toBe(9);
    expect(result).toMatchObject({ received: 9, missing: 0, unchanged: 9 });
  });
});

describe('ldap source with changes: syncrepl (syncprov without a session log)', () => {
  let world: World;
  beforeAll(async () => { world = await startWorld({ sessionlog: 0 }, 6); });
  afterAll(async () => { await stopWorld(world); });

  it('the server lists who is present instead of who was deleted: the others are leavers, still without reading their entries', async () => {
    expect((await pass(world, 'incremental')).result).toMatchObject({ received: 6, created: 6 });
    await world.client.del(`uid=p2,${people(world.slapd)}`);
    await world.client.modify(`uid=p3,${people(world.slapd)}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'sn', values: ['Changed'] }) }));
    const { result, entries, infos } = await pass(world, 'incremental');
    expect(result).toMatchObject({ received: 1, changed: 1, missing: 1 });
    expect(entries).toBe(1);
    expect(infos).toBe(1);
    expect((await world.engine.store.identities.get('E2'))?.state).toBe('terminated');
    expect((await world.engine.store.identities.get('E4'))?.state).toBe('active');
  });
});
