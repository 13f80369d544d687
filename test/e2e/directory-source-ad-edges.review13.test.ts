import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isoToFiletime } from '../../src/connectors/ad/filetime.js';
import { silentLogger } from '../../src/core/log.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import { readDirectorySource } from '../../src/sources/directory/read.js';
import { DirectoryReader } from '../../src/sources/directory/search.js';
import { startSamba, type RunningSamba } from '../support/samba.js';

/**
 * Review 13: an `ad` source against Samba AD at its edges: accountExpires in
 * the lifecycle's time zone, renames and moves inside the base, keys removed
 * or typed onto someone else, objects that are not people, managers outside
 * the base, non-ASCII names, and a DC whose USNs went back (restored).
 */
let samba: RunningSamba;
let client: Client;
let engine: RosterEngine;
let dir: string;
let staff: string;
const PASSWORD = Buffer.from('"Roster-Person-Passw0rd!"', 'utf16le');

async function connect(): Promise<void> {
  client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await client.bind(samba.bindDN, samba.password);
}

async function addUser(cn: string, employeeID: string | undefined, extra: Record<string, string> = {}, parent = staff): Promise<string> {
  const dn = `CN=${cn},${parent}`;
  const values: Record<string, string | string[]> = {
    objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: `s${Math.random().toString(36).slice(2, 12)}`,
    givenName: `Given ${cn}`, sn: `Surname ${cn}`, userAccountControl: '512', ...(employeeID === undefined ? {} : { employeeID }), ...extra,
  };
  const attributes = Object.entries(values).map(([type, value]) => new Attribute({ type, values: Array.isArray(value) ? value : [value] }));
  await client.add(dn, [...attributes, new Attribute({ type: 'unicodePwd', values: [PASSWORD] })]);
  return dn;
}

function replace(type: string, value: string): Change {
  return new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });
}

function remove(type: string): Change {
  return new Change({ operation: 'delete', modification: new Attribute({ type, values: [] }) });
}

async function setup(): Promise<void> {
  await connect();
  staff = `OU=EdgeStaff,${samba.rosterOU}`;
  await client.add(staff, { objectClass: ['top', 'organizationalUnit'], ou: 'EdgeStaff' });
  await client.add(`OU=Sub,${staff}`, { objectClass: ['top', 'organizationalUnit'], ou: 'Sub' });
}

function source() {
  const found = engine.config.sources.find((s) => s.id === 'edge-ad');
  if (found === undefined) throw new Error('no source');
  return found;
}

beforeAll(async () => {
  samba = await startSamba();
  await setup();
  const boss = await addUser('boss', 'B1');
  await addUser('alice', 'B2', { manager: boss });
  await addUser('bob', 'B3', { manager: boss });
  await addUser('carol', 'B4', { manager: boss });
  await addUser('dave', 'B5', { manager: boss });
  dir = mkdtempSync(join(tmpdir(), 'roster-dirsrc-ad-edges-'));
  writeFileSync(join(dir, 'ca.pem'), samba.ca);
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
lifecycle: { timezone: Asia/Tokyo }
sources:
  - id: edge-ad
    type: ad
    key: employeeID
    schedule: "*/5 * * * *"
    maxMissing: 90%
    connection:
      url: ${samba.url}
      bindDN: "${samba.bindDN}"
      password: \${env:AD_PASSWORD}
      tls: { ca: ./ca.pem }
      base: "${staff}"
      pageSize: 3
    attributes: { givenName: givenName, familyName: sn, managerId: manager, endDate: accountExpires, cn: cn }
targets:
  - id: app
    type: memory
    accountKey: employeeID
    attributes: { employeeID: identity.employeeID }
`);
  engine = await openEngine(join(dir, 'roster.yaml'), { env: { AD_PASSWORD: samba.password }, log: silentLogger }) as RosterEngine;
  expect(await engine.readSource('edge-ad', 'test')).toMatchObject({ received: 5, created: 5, problems: [] });
}, 400_000);

afterAll(async () => {
  await engine?.close();
  await client?.unbind();
  await samba?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('ad source edges (review 13)', () => {
  it('accountExpires written as a date in the lifecycle time zone reads back as that date; one at UTC midnight stays that exact instant', async () => {
    // What the AD target writes for endDate 2026-12-31 with users.timezone Asia/Tokyo (its default: lifecycle.timezone).
    await client.modify(`CN=alice,${staff}`, [replace('accountExpires', isoToFiletime('2026-12-31', 'Asia/Tokyo'))]);
    // Written in UTC (users.timezone: UTC, or a script): midnight UTC on 1 January is 09:00 in Tokyo, not the end of a Tokyo day.
    await client.modify(`CN=bob,${staff}`, [replace('accountExpires', isoToFiletime('2026-12-31', 'UTC'))]);
    await client.modify(`CN=carol,${staff}`, [replace('accountExpires', '9223372036854775807')]);
    await client.modify(`CN=dave,${staff}`, [replace('accountExpires', '0')]);
    const read = await readDirectorySource(source(), { mode: 'full', previous: undefined, baseDir: dir, timezone: 'Asia/Tokyo' } as Parameters<typeof readDirectorySource>[1]);
    const endDate = (key: string) => read.batch.records.find((r) => r.key === key)?.attributes.endDate;
    expect(endDate('B2')).toBe('2026-12-31');
    expect(endDate('B3')).toBe('2027-01-01T00:00:00.000Z');
    expect(endDate('B4')).toBe('');
    expect(endDate('B5')).toBe('');
    expect(read.batch.problems).toEqual([]);
    // Through the engine (lifecycle.timezone: Asia/Tokyo): bob works until AD's real expiry, not 9 hours before it.
    await engine.readSource('edge-ad', 'test', { mode: 'full' });
    expect((await engine.store.identities.get('B3'))?.endAt).toBe('2027-01-01T00:00:00.000Z');
    expect((await engine.store.identities.get('B2'))?.endAt).toBe('2026-12-31T15:00:00.000Z');
  });

  it('a user renamed and moved to another OU inside the base stays the same person in an incremental pass', async () => {
    await engine.readSource('edge-ad', 'test', { mode: 'full' });
    await client.modifyDN(`CN=dave,${staff}`, `CN=David,OU=Sub,${staff}`);
    const result = await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    expect(result).toMatchObject({ received: 1, created: 0, missing: 0, problems: [] });
    expect((await engine.store.identities.get('B5'))?.attributes.cn).toBe('David');
    expect((await engine.store.identities.get('B5'))?.state).toBe('active');
  });

  it('an employeeID typed onto another person in an incremental pass is a problem, and the person who had it is not a leaver', async () => {
    await client.modify(`CN=carol,${staff}`, [replace('employeeID', 'B3')]);
    const result = await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    expect(result.problems).toEqual([expect.objectContaining({ key: 'B3', message: expect.stringContaining(`CN=carol,${staff}`) })]);
    expect(result.missing).toBe(0);
    expect((await engine.store.identities.get('B4'))?.state).toBe('active');
    expect((await engine.store.identities.get('B3'))?.attributes.givenName).toBe('Given bob');
    // Put right: carol is herself again, nobody left.
    await client.modify(`CN=carol,${staff}`, [replace('employeeID', 'B4')]);
    expect(await engine.readSource('edge-ad', 'test', { mode: 'incremental' })).toMatchObject({ missing: 0, problems: [] });
    expect((await engine.store.identities.get('B4'))?.state).toBe('active');
  });

  it('an employeeID removed in an incremental pass is a problem and not a leaver', async () => {
    await client.modify(`CN=alice,${staff}`, [remove('employeeID')]);
    const result = await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    expect(result.problems).toEqual([expect.objectContaining({ message: `entry CN=alice,${staff} has no employeeID: it cannot be correlated` })]);
    expect(result.missing).toBe(0);
    expect((await engine.store.identities.get('B2'))?.state).toBe('active');
    await client.modify(`CN=alice,${staff}`, [replace('employeeID', 'B2')]);
    expect(await engine.readSource('edge-ad', 'test', { mode: 'incremental' })).toMatchObject({ missing: 0, problems: [] });
  });

  it('a full pass while an employeeID is typed onto another person: neither takes the identity, and the key the person had is kept, not gone', async () => {
    await client.modify(`CN=carol,${staff}`, [replace('employeeID', 'B3')]);
    // The stored cursor's objectGUID -> key map says carol's entry was B4 (src/sources/read.ts must pass it to full passes too).
    const stored = await engine.store.state.get('cursor:source:edge-ad');
    const read = await readDirectorySource(source(), { mode: 'full', previous: stored, baseDir: dir });
    expect(read.mode).toBe('full');
    expect(read.batch.records.map((r) => r.key)).not.toContain('B3');
    expect(read.batch.problems.map((p) => p.key).sort()).toEqual(['B3', 'B3', 'B4']);
    expect(Object.values((read.cursor as { keys: Record<string, string> }).keys).sort()).toEqual(['B1', 'B2', 'B3', 'B4', 'B5']);
    // Through the engine: no identity handed over, nobody missing.
    const full = await engine.readSource('edge-ad', 'test', { mode: 'full' });
    expect((await engine.store.identities.get('B3'))?.attributes.givenName).toBe('Given bob');
    expect(full.problems.filter((p) => p.key === 'B3')).toHaveLength(2);
    expect(full.missing).toBe(0);
    expect((await engine.store.identities.get('B4'))?.state).toBe('active');
    await client.modify(`CN=carol,${staff}`, [replace('employeeID', 'B4')]);
    expect(await engine.readSource('edge-ad', 'test', { mode: 'full' })).toMatchObject({ problems: [] });
    expect((await engine.store.identities.get('B4'))?.attributes.givenName).toBe('Given carol');
  });

  it('computer accounts and contacts in the base are not people under the default filter', async () => {
    await client.add(`CN=WS01,${staff}`, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'], sAMAccountName: 'WS01$', userAccountControl: '4096', employeeID: 'PC1',
    });
    await client.add(`CN=Vendor Contact,${staff}`, { objectClass: ['top', 'person', 'organizationalPerson', 'contact'], employeeID: 'C1' });
    const full = await engine.readSource('edge-ad', 'test', { mode: 'full' });
    expect(full).toMatchObject({ received: 5, created: 0, missing: 0, problems: [] });
    expect(await engine.store.identities.get('PC1')).toBeUndefined();
    expect(await engine.store.identities.get('C1')).toBeUndefined();
  });

  it('a non-ASCII name and its manager by a non-ASCII DN resolve; a manager outside the base is resolved by DN', async () => {
    const outside = `OU=Elsewhere,${samba.rosterOU}`;
    await client.add(outside, { objectClass: ['top', 'organizationalUnit'], ou: 'Elsewhere' });
    const chef = await addUser('Zoë Ångström-Müller', 'B6');
    const far = await addUser('Ōtani Shōhei', 'X9', {}, outside);
    await addUser('Łukasz Żółć', 'B7', { manager: chef });
    await addUser('Renée', 'B8', { manager: far });
    const result = await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    expect(result).toMatchObject({ received: 3, created: 3, missing: 0, problems: [] });
    expect((await engine.store.identities.get('B7'))?.attributes).toMatchObject({ managerId: 'B6', cn: 'Łukasz Żółć', givenName: 'Given Łukasz Żółć' });
    expect((await engine.store.identities.get('B8'))?.attributes.managerId).toBe('X9');
  });

  it('a manager whose employeeID changes: the reports name the new key at the next incremental pass, not the old one', async () => {
    // AD keeps the reports' manager DN as it is: their uSNChanged does not move, so an incremental pass reads only the manager.
    await client.modify(`CN=boss,${staff}`, [replace('employeeID', 'B1X')]);
    const result = await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    expect(result.problems).toEqual([]);
    // The manager is the same identity under the new key (keyChanges: follow, review 22).
    expect(await engine.store.identities.get('B1')).toMatchObject({ state: 'active', attributes: { employeeID: 'B1X' } });
    expect(await engine.store.identities.get('B1X')).toBeUndefined();
    for (const report of ['B2', 'B3', 'B4', 'B5']) expect((await engine.store.identities.get(report))?.attributes.managerId).toBe('B1X');
  });

  it('a change made while an incremental pass runs is read by the next pass, not skipped by the cursor', async () => {
    await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    const original = DirectoryReader.prototype.search;
    let changed = false;
    const spy = vi.spyOn(DirectoryReader.prototype, 'search').mockImplementation(async function (this: DirectoryReader, filter, attributes) {
      const found = await original.call(this, filter, attributes);
      if (!changed) {
        changed = true;
        await client.modify(`CN=bob,${staff}`, [replace('sn', 'Changed Mid-Pass')]);
      }
      return found;
    });
    try {
      await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    } finally {
      spy.mockRestore();
    }
    expect(changed).toBe(true);
    const next = await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    expect(next.affected).toContain('B3');
    expect((await engine.store.identities.get('B3'))?.attributes.familyName).toBe('Changed Mid-Pass');
  });

  it('a DC whose USNs went back (restored from a backup) makes the next incremental pass a full one, so changes below the old cursor are not skipped', async () => {
    const before = await engine.store.state.get<{ usn: string; server: string; invocation: string }>('cursor:source:edge-ad');
    expect(before?.usn).toMatch(/^\d+$/);
    // The DC's invocationId is kept too: a Windows restore changes it (Samba's restore of the same snapshot here does not).
    expect(before?.invocation).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // startSamba restores the same provisioned domain: same DC (dsServiceName), USNs back to where the snapshot was.
    await client.unbind();
    await samba.stop();
    samba = await startSamba();
    await setup();
    // Everyone is back (the restore lost nothing of theirs that matters here), plus one joiner made after the restore.
    for (const key of ['B1X', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8']) await addUser(`p${key}`, key);
    await addUser('newcomer', 'N1');
    const result = await engine.readSource('edge-ad', 'test', { mode: 'incremental' });
    expect(result).toMatchObject({ received: 9, created: 1, missing: 0 });
    expect(await engine.store.identities.get('N1')).toMatchObject({ state: 'active' });
    const after = await engine.store.state.get<{ usn: string; server: string }>('cursor:source:edge-ad');
    expect(after?.server).toBe(before?.server);
    expect(BigInt(after?.usn ?? '0')).toBeLessThan(BigInt(before?.usn ?? '0'));
  }, 120_000);
});
