import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { RosterEngine } from '../../src/engine/engine.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';

/**
 * Review 13 of `changes: syncrepl` (docs/directory-sources.md): an entry a
 * pass turns down is bad input, reported and skipped; it never makes the
 * person who had its key a leaver, as an entry whose key was removed does not.
 */
let slapd: RunningSlapd;
let client: Client;
let engine: RosterEngine;
let dir: string;
const ou = (name: string) => `ou=${name},${slapd.suffix}`;

function person(uid: string, employeeNumber: string, extra: Record<string, string> = {}) {
  return { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: `Surname ${uid}`, givenName: `Given ${uid}`, employeeNumber, ...extra };
}

const change = (operation: 'replace' | 'add', type: string, values: string[]) =>
  new Change({ operation, modification: new Attribute({ type, values }) });

const source = (id: string, base: string, extra: { key?: string; filter?: string; attributes?: string } = {}) => `
  - id: ${id}
    type: ldap
    key: ${extra.key ?? 'employeeNumber'}
    changes: syncrepl
    maxMissing: 50%
    connection:
      url: ${slapd.url}
      bindDN: ${slapd.bindDN}
      password: \${env:LDAP_PASSWORD}
      base: ${base}${extra.filter === undefined ? '' : `\n      filter: '${extra.filter}'`}
    attributes: ${extra.attributes ?? '{ givenName: givenName }'}`;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true, syncprov: { sessionlog: 100 } });
  client = new Client({ url: slapd.url });
  await client.bind(slapd.bindDN, slapd.password);
  for (const name of ['dup', 'multi', 'dates', 'utf']) await client.add(ou(name), { objectClass: ['organizationalUnit'], ou: name });
  dir = mkdtempSync(join(tmpdir(), 'roster-dirsrc-sync-review13-'));
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:${source('dup', ou('dup'))}${source('multi', ou('multi'), { key: 'uid' })}${
  source('dates', ou('dates'), { attributes: '{ givenName: givenName, endDate: description }' })}${source('nobase', ou('nope'))}${
  source('utf', ou('utf'), { filter: String.raw`(&(objectClass=inetOrgPerson)(departmentNumber=Z\c3\bcrich))` })}
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.givenName }
`);
  engine = await openEngine(join(dir, 'roster.yaml'), { env: { LDAP_PASSWORD: slapd.password }, log: silentLogger }) as RosterEngine;
});

afterAll(async () => {
  await (engine as Engine | undefined)?.close();
  await client?.unbind();
  await slapd?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('syncrepl source edges (review 13)', () => {
  it('a key typed onto another entry is a problem: the typed entry\'s person is not a leaver, the key\'s owner keeps their identity', async () => {
    await client.add(`uid=alice,${ou('dup')}`, person('alice', 'D1'));
    await client.add(`uid=bob,${ou('dup')}`, person('bob', 'D2'));
    await client.add(`uid=carol,${ou('dup')}`, person('carol', 'D3'));
    expect(await engine.readSource('dup', 'test')).toMatchObject({ received: 3, created: 3 });
    await client.modify(`uid=alice,${ou('dup')}`, [change('replace', 'employeeNumber', ['D2'])]);
    const incremental = await engine.readSource('dup', 'test', { mode: 'incremental' });
    expect(incremental).toMatchObject({ missing: 0 });
    expect(incremental.problems).toEqual([expect.objectContaining({ key: 'D2', message: expect.stringContaining(`uid=alice,${ou('dup')}`) })]);
    expect((await engine.store.identities.get('D1'))?.state).toBe('active');
    expect((await engine.store.identities.get('D2'))?.attributes.givenName).toBe('Given bob');
    // A full refresh while the typo is there: alice's entry is still turned down, and D1 (hers at the last pass) is not missing.
    const full = await engine.readSource('dup', 'test', { mode: 'full' });
    expect(full).toMatchObject({ missing: 0 });
    expect(full.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ key: 'D1', message: expect.stringContaining(`uid=alice,${ou('dup')}`) }),
      expect.objectContaining({ key: 'D2', message: expect.stringContaining(`uid=bob,${ou('dup')}`) }),
    ]));
    expect((await engine.store.identities.get('D1'))?.state).toBe('active');
    expect((await engine.store.identities.get('D2'))?.attributes.givenName).toBe('Given bob');
    // Fixed: alice is D1 again, nobody gone, and the next change to her is read as hers.
    await client.modify(`uid=alice,${ou('dup')}`, [change('replace', 'employeeNumber', ['D1']), change('replace', 'givenName', ['Alicia'])]);
    expect(await engine.readSource('dup', 'test', { mode: 'incremental' })).toMatchObject({ missing: 0, problems: [] });
    expect((await engine.store.identities.get('D1'))?.attributes.givenName).toBe('Alicia');
    expect((await engine.store.identities.get('D1'))?.state).toBe('active');
  });

  it('an entry given a second key value is reported and skipped; neither value is gone', async () => {
    await client.add(`uid=m1,${ou('multi')}`, person('m1', 'M1'));
    await client.add(`uid=m2,${ou('multi')}`, person('m2', 'M2'));
    expect(await engine.readSource('multi', 'test')).toMatchObject({ received: 2, created: 2 });
    // The new value first: a pass that took the first value would see m2's key change to "a-m2".
    await client.modify(`uid=m2,${ou('multi')}`, [change('replace', 'uid', ['a-m2', 'm2'])]);
    const incremental = await engine.readSource('multi', 'test', { mode: 'incremental' });
    expect(incremental).toMatchObject({ missing: 0, created: 0 });
    expect(incremental.problems).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringContaining(`uid=m2,${ou('multi')}`) })]));
    expect((await engine.store.identities.get('m2'))?.state).toBe('active');
    expect(await engine.store.identities.get('a-m2')).toBeUndefined();
    expect(await engine.readSource('multi', 'test', { mode: 'full' })).toMatchObject({ missing: 0, created: 0 });
    expect((await engine.store.identities.get('m2'))?.state).toBe('active');
  });

  it('an entry given a malformed date is reported with its key and not a leaver', async () => {
    await client.add(`uid=d1,${ou('dates')}`, person('d1', 'T1', { description: '20271231000000Z' }));
    await client.add(`uid=d2,${ou('dates')}`, person('d2', 'T2'));
    expect(await engine.readSource('dates', 'test')).toMatchObject({ received: 2, created: 2, problems: [] });
    await client.modify(`uid=d1,${ou('dates')}`, [change('replace', 'description', ['2027-02-30'])]);
    const incremental = await engine.readSource('dates', 'test', { mode: 'incremental' });
    expect(incremental).toMatchObject({ missing: 0 });
    expect(incremental.problems).toEqual([expect.objectContaining({ key: 'T1' })]);
    expect((await engine.store.identities.get('T1'))?.state).toBe('active');
  });

  it('a base that does not exist is source.unavailable naming it; no cursor is stored', async () => {
    await expect(engine.readSource('nobase', 'test')).rejects.toMatchObject({ code: 'source.unavailable', message: expect.stringContaining(ou('nope')) });
    expect(await engine.store.state.get('cursor:source:nobase')).toBeUndefined();
  });

  it('a filter escaping UTF-8 bytes (RFC 4515) matches in the sync and in the check of a full refresh', async () => {
    await client.add(`uid=u1,${ou('utf')}`, person('u1', 'U1', { departmentNumber: 'Zürich' }));
    await client.add(`uid=u2,${ou('utf')}`, person('u2', 'U2', { departmentNumber: 'Zurich' }));
    const full = await engine.readSource('utf', 'test');
    expect(full).toMatchObject({ received: 1, created: 1, problems: [] });
    await client.del(`uid=u1,${ou('utf')}`);
    expect(await engine.readSource('utf', 'test', { mode: 'incremental' })).toMatchObject({ missing: 1 });
  });
});
