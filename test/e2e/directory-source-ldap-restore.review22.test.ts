import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/connectors/types.js';
import { silentLogger } from '../../src/core/log.js';
import { NEWEST } from '../../src/sources/directory/ldap-restore.js';
import { change, inetOrgPerson, nextSecond, useLdapSource, type LdapSourceYaml } from './directory-source-fixtures.js';

/**
 * Review 22: an `ldap` source read from a slapd restored from an older
 * backup (slapcat, then slapadd into a fresh database: the realistic
 * restore). The entries the backup brings back or reverts keep their old
 * modifyTimestamp and entryCSN, so an incremental pass by modifyTimestamp
 * never saw them (nor, measured here, a sync from the cookie: slapd makes a
 * new contextCSN at start when the backup has none, so the cookie is not
 * "ahead" and is answered as if nothing changed): a person changed back,
 * deleted since the backup (now back) or added since (now gone) waited for
 * the next full pass. Each pass now keeps the naming context's entryUUID and
 * contextCSN (per server id) and the entryCSN of the newest entries it read,
 * and an incremental pass reads in full when one went back.
 */
const SUFFIX = 'dc=example,dc=com';
const ou = (name: string) => `ou=${name},${SUFFIX}`;
const infos: { message: string; fields: unknown }[] = [];

const source = (id: string, changes?: string): LdapSourceYaml => ({
  id, base: ou(id), schedule: '*/5 * * * *', maxMissing: '90%', ...(changes === undefined ? {} : { changes }),
  attributes: '{ givenName: givenName }',
});

const world = useLdapSource({
  slapd: { suffix: SUFFIX, syncprov: { sessionlog: 100 } },
  prefix: 'roster-dirsrc-restore-review22-',
  ous: ['ts', 'sr'],
  async seed(admin) {
    for (const id of ['ts', 'sr']) {
      for (let i = 1; i <= 4; i++) await admin.add(`uid=${id}${i},${ou(id)}`, inetOrgPerson(`${id}${i}`, `${id.toUpperCase()}${i}`));
    }
  },
  sources: () => [source('ts'), source('sr', 'syncrepl')],
  app: { attributes: '{ username: identity.givenName }' },
  log: { ...silentLogger, info: (message, fields) => { infos.push({ message, fields }); } } satisfies Logger,
});

function tool(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** The suffix's database as slapcat writes it from the running server (a nightly backup). */
function backup(): string {
  return tool('/usr/sbin/slapcat', ['-n1', '-F', join(world.slapd.dir, 'slapd.d')]);
}

/** Stop the server, load `ldif` into a fresh database (slapadd; `-w` writes contextCSN from the newest entryCSN), start it on the same port. */
async function restore(ldif: string, options: { readonly w?: boolean } = {}): Promise<void> {
  const { dir } = world.slapd;
  await world.slapd.kill();
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'restore.ldif'), ldif);
  tool('/usr/sbin/slapadd', ['-q', ...(options.w === true ? ['-w'] : []), '-n1', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'restore.ldif')]);
  await world.slapd.restart();
}

/** A fresh admin connection (the fixture's died with the server). */
async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: world.slapd.url });
  try {
    await client.bind(world.slapd.bindDN, world.slapd.password);
    return await work(client);
  } finally {
    await client.unbind();
  }
}

const ids = ['ts', 'sr'] as const;
const dn = (id: string, i: number) => `uid=${id}${i},${ou(id)}`;
const key = (id: string, i: number) => `${id.toUpperCase()}${i}`;
const person = (id: string, i: number) => world.engine.store.identities.get(key(id, i));
const incremental = (id: string) => world.engine.readSource(id, 'test', { mode: 'incremental' });
/** A full pass of both sources: each test starts from the store agreeing with the directory, whatever the one before left. */
async function fullPasses(): Promise<void> {
  for (const id of ids) expect(await world.engine.readSource(id, 'test')).toMatchObject({ mode: 'full' });
}
const restoredInfo = (id: string) => expect.objectContaining({
  message: expect.stringContaining('reads in full'), fields: expect.objectContaining({ source: id, reason: expect.stringMatching(/backup|went back|restored/) }),
});

/** Who a round changes (givenName `After <round>`), deletes and adds after the backup. */
interface Round { readonly name: string; readonly deleted: number; readonly added: number }

/** Change person 1, delete and add one (after the backup), and read them in. */
async function changeAfterBackup(round: Round): Promise<void> {
  await nextSecond();
  await admin(async (client) => {
    for (const id of ids) {
      await client.modify(dn(id, 1), [change('replace', 'givenName', [`After ${round.name}`])]);
      await client.del(dn(id, round.deleted));
      await client.add(dn(id, round.added), inetOrgPerson(`${id}${round.added}`, key(id, round.added)));
    }
  });
  // ts: a full pass sees the deleted person leave; sr: its incremental pass does.
  expect(await world.engine.readSource('ts', 'test')).toMatchObject({ mode: 'full', missing: 1 });
  expect(await incremental('sr')).toMatchObject({ mode: 'incremental', missing: 1 });
  for (const id of ids) {
    expect((await person(id, 1))?.attributes.givenName).toBe(`After ${round.name}`);
    expect((await person(id, round.deleted))?.state).toBe('terminated');
    expect((await person(id, round.added))?.state).toBe('active');
    // Nothing changed since: incremental, nothing read (a restore check that cries wolf would read in full).
    expect(await incremental(id)).toMatchObject({ mode: 'incremental', received: 0 });
  }
}

/** After the restore: person 1 changed back, the deleted one back, the added one gone, at the next incremental pass. */
async function expectRestoredSeen(round: Round, givenName: (id: string) => string): Promise<void> {
  for (const id of ids) {
    infos.length = 0;
    expect(await incremental(id)).toMatchObject({ mode: 'full', missing: 1 });
    expect((await person(id, 1))?.attributes.givenName).toBe(givenName(id));
    expect((await person(id, round.deleted))?.state).toBe('active');
    expect((await person(id, round.added))?.state).toBe('terminated');
    expect(infos).toEqual(expect.arrayContaining([restoredInfo(id)]));
    // Read in full once: the next pass is incremental again.
    expect(await incremental(id)).toMatchObject({ mode: 'incremental', received: 0 });
  }
}

describe('ldap sources read from a slapd restored from an older backup (review 22)', () => {
  it('a slapcat of the running server restored as it is (slapd makes a new contextCSN at start): the next incremental pass reads in full', async () => {
    await fullPasses();
    for (const id of ids) expect((await person(id, 4))?.state).toBe('active');
    const older = backup();
    const round = { name: 'one', deleted: 2, added: 5 };
    await changeAfterBackup(round);
    await restore(older);
    await expectRestoredSeen(round, (id) => `Given ${id}1`);
  });

  it('restored with slapadd -w (contextCSN from the backup: it goes back), and a write before the pass', async () => {
    await fullPasses();
    const older = backup();
    const round = { name: 'two', deleted: 3, added: 6 };
    await changeAfterBackup(round);
    await restore(older, { w: true });
    // A write after the restore moves the contextCSN on: the newest entries read before still show the restore.
    await admin(async (client) => {
      for (const id of ids) await client.modify(dn(id, 4), [change('replace', 'givenName', [`Given ${id}4`])]);
    });
    await expectRestoredSeen(round, (id) => `Given ${id}1`);
  });

  it('the newest entries read were added and deleted since the backup (gone, they prove nothing): the contextCSN going back shows the restore', async () => {
    await fullPasses();
    const older = backup();
    await nextSecond();
    // Person 1 changed, then NEWEST people added after it: the cursor keeps the entryCSNs of those, the newest it read.
    const added = Array.from({ length: NEWEST }, (_, i) => 10 + i);
    await admin(async (client) => {
      for (const id of ids) {
        await client.modify(dn(id, 1), [change('replace', 'givenName', ['After three'])]);
        for (const i of added) await client.add(dn(id, i), inetOrgPerson(`${id}${i}`, key(id, i)));
      }
    });
    for (const id of ids) {
      expect(await incremental(id)).toMatchObject({ mode: 'incremental', received: 1 + NEWEST });
      expect((await person(id, 1))?.attributes.givenName).toBe('After three');
    }
    // Deleted before the next pass, and not in the backup: the restore finds none of them, at any entryCSN.
    await admin(async (client) => {
      for (const id of ids) for (const i of added) await client.del(dn(id, i));
    });
    await restore(older, { w: true });
    for (const id of ids) {
      infos.length = 0;
      expect(await incremental(id)).toMatchObject({ mode: 'full', missing: NEWEST });
      expect((await person(id, 1))?.attributes.givenName).toBe(`Given ${id}1`);
      expect(infos).toEqual(expect.arrayContaining([expect.objectContaining({
        fields: expect.objectContaining({ source: id, reason: expect.stringContaining('contextCSN for server id 000 went back') }),
      })]));
      expect(await incremental(id)).toMatchObject({ mode: 'incremental', received: 0 });
    }
  });
});
