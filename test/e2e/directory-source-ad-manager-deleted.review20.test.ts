import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import { addAdOU, addAdPerson, AD_PERSON_FILTER } from '../support/ad-source-world.js';
import { startSamba, type RunningSamba } from '../support/samba.js';

/**
 * Review 20: a manager deleted from Active Directory (Samba AD DC). AD drops
 * the `manager` link from each report without moving the report's
 * uSNChanged, so an incremental pass does not read the reports again: they
 * kept naming the leaver's key until the next full pass. The pass that finds
 * the manager's user deleted now says so (SourceBatch.unlinked) and the merge
 * clears the manager field of the identities naming them, as a full pass reads.
 */
let samba: RunningSamba;
let client: Client;
let dir: string;
let engine: RosterEngine;
let base: string;
const ID = 'mgrdel';

const managerOf = async (key: string) => (await engine.store.identities.get(key))?.attributes.managerId;
const pass = (mode: 'full' | 'incremental') => engine.readSource(ID, 'test', { mode });
const setManager = (dn: string) => new Change({ operation: 'replace', modification: new Attribute({ type: 'manager', values: [dn] }) });

beforeAll(async () => {
  samba = await startSamba();
  client = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await client.bind(samba.bindDN, samba.password);
  base = `OU=${ID},${samba.rosterOU}`;
  await addAdOU(client, base);
  dir = mkdtempSync(join(tmpdir(), 'roster-ad-manager-deleted-'));
  writeFileSync(join(dir, 'ca.pem'), samba.ca);
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - id: ${ID}
    type: ad
    key: employeeID
    maxMissing: 50%
    connection:
      url: ${samba.url}
      bindDN: '${samba.bindDN}'
      password: \${env:AD_PASSWORD}
      tls: { ca: ./ca.pem }
      base: '${base}'
      filter: '${AD_PERSON_FILTER}'
    attributes: { givenName: givenName, familyName: sn, username: sAMAccountName, managerId: manager }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.username }
`);
  engine = await openEngine(join(dir, 'roster.yaml'), { env: { AD_PASSWORD: samba.password }, log: silentLogger }) as RosterEngine;
}, 400_000);

afterAll(async () => {
  await engine?.close();
  await client?.unbind();
  await samba?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('a manager deleted from AD (review 20)', () => {
  it('the reports name nobody after the incremental pass that finds the manager gone, as a full pass reads', async () => {
    for (const [cn, key] of [['boss', 'MD-B'], ['other', 'MD-O'], ['r1', 'MD-R1'], ['r2', 'MD-R2'], ['r3', 'MD-R3']] as const) {
      await addAdPerson(client, `CN=${cn},${base}`, key);
    }
    for (const cn of ['r1', 'r2']) await client.modify(`CN=${cn},${base}`, [setManager(`CN=boss,${base}`)]);
    await client.modify(`CN=r3,${base}`, [setManager(`CN=other,${base}`)]);
    expect(await pass('full')).toMatchObject({ received: 5, created: 5 });
    for (const report of ['MD-R1', 'MD-R2']) expect(await managerOf(report)).toBe('MD-B');
    expect(await managerOf('MD-R3')).toBe('MD-O');

    await client.del(`CN=boss,${base}`);
    const result = await pass('incremental');
    expect(result).toMatchObject({ missing: 1, diagnostics: [] });
    expect((await engine.store.identities.get('MD-B'))?.state).toBe('terminated');
    for (const report of ['MD-R1', 'MD-R2']) expect(await managerOf(report)).toBe('');
    expect(result.events.filter((e) => e.kind === 'mover').map((e) => [e.identityId, e.changes?.managerId]).sort()).toEqual([
      ['MD-R1', { before: 'MD-B', after: '' }], ['MD-R2', { before: 'MD-B', after: '' }],
    ]);
    // Another manager's report is left as it was.
    expect(await managerOf('MD-R3')).toBe('MD-O');

    // A full pass reads the same: nothing changes, and the next incremental pass has nothing to do.
    expect(await pass('full')).toMatchObject({ changed: 0, missing: 0 });
    expect(await pass('incremental')).toMatchObject({ received: 0, changed: 0, missing: 0 });
    for (const report of ['MD-R1', 'MD-R2']) expect(await managerOf(report)).toBe('');
  });

  it('a manager moved out of the base is gone, but AD keeps the link: the reports keep naming them, as a full pass reads', async () => {
    await client.add(`OU=${ID}out,${samba.rosterOU}`, { objectClass: ['top', 'organizationalUnit'], ou: `${ID}out` });
    await client.modify(`CN=r1,${base}`, [setManager(`CN=other,${base}`)]);
    expect(await pass('incremental')).toMatchObject({ received: 1, changed: 1 });
    await client.modifyDN(`CN=other,${base}`, `CN=other,OU=${ID}out,${samba.rosterOU}`);
    expect(await pass('incremental')).toMatchObject({ missing: 1 });
    for (const report of ['MD-R1', 'MD-R3']) expect(await managerOf(report)).toBe('MD-O');
    expect(await pass('full')).toMatchObject({ changed: 0, missing: 0 });
  });
});
