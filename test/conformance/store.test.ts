import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, auditHash } from '../../src/audit/chain.js';
import type { Plan } from '../../src/core/types.js';
import { isRosterError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { T0, account, at, change, identity, job, plan } from '../../src/store/testing/builders.js';

/**
 * One suite, every back end: SQLite in memory, SQLite on a file, PostgreSQL
 * (a schema of its own per test, dropped afterwards). PostgreSQL being
 * unreachable fails the suite: it is not skipped.
 */
const PG_URL = 'postgres://root@127.0.0.1:5432/test';
const RUN = `roster_t${process.pid}_${Date.now().toString(36)}`;
let schemaCounter = 0;
const schemasToDrop = new Set<string>();

interface Fixture {
  readonly url: string;
  /** Where a second process would connect; undefined when the database cannot be shared (memory). */
  readonly sharedUrl: string | undefined;
  cleanup(): Promise<void>;
}

interface BackEnd {
  readonly name: string;
  fixture(): Promise<Fixture>;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

const backEnds: readonly BackEnd[] = [
  {
    name: 'sqlite (memory)',
    fixture: async () => ({ url: 'sqlite::memory:', sharedUrl: undefined, cleanup: async () => undefined }),
  },
  {
    name: 'sqlite (file)',
    fixture: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'roster-store-'));
      const url = `sqlite:${join(dir, 'nested', 'roster.db')}`;
      return { url, sharedUrl: url, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    fixture: async () => {
      const schema = `${RUN}_${++schemaCounter}`;
      schemasToDrop.add(schema);
      const url = `${PG_URL}?schema=${schema}`;
      return {
        url,
        sharedUrl: url,
        cleanup: async () => {
          await dropSchema(schema);
          schemasToDrop.delete(schema);
        },
      };
    },
  },
];

/** SQL run on the database directly, past any store (for tests that change rows behind a store's back). */
async function rawExecute(url: string, text: string): Promise<void> {
  if (url.startsWith('sqlite:')) {
    const database = new BetterSqlite3(url.slice('sqlite:'.length));
    try {
      database.exec(text);
    } finally {
      database.close();
    }
    return;
  }
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: parsed.toString() });
  await client.connect();
  try {
    await client.query(`set search_path to "${schema}"`);
    await client.query(text);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const schema of schemasToDrop) await dropSchema(schema);
});

// ------------------------------------------------------------------ the suite

describe.each(backEnds)('store conformance: $name', (backEnd) => {
  let fixture: Fixture;
  let store: Store;
  const extraStores: Store[] = [];

  /** A second connection to the same database (another process, in effect), or the same store for memory. */
  async function secondStore(): Promise<Store> {
    if (fixture.sharedUrl === undefined) return store;
    const other = await openStore(fixture.sharedUrl);
    extraStores.push(other);
    return other;
  }

  beforeEach(async () => {
    fixture = await backEnd.fixture();
    store = await openStore(fixture.url);
  });

  afterEach(async () => {
    for (const other of extraStores.splice(0)) await other.close();
    await store.close();
    await fixture.cleanup();
  });

  describe('store', () => {
    it('reports its dialect and migrates again without harm', async () => {
      expect(store.dialect).toBe(backEnd.name.startsWith('postgres') ? 'postgres' : 'sqlite');
      await store.identities.upsertMany([identity('E1')]);
      await store.migrate();
      await store.migrate();
      expect(await store.identities.count()).toBe(1);
    });

    it('lets several openers migrate the same database at once', async () => {
      if (fixture.sharedUrl === undefined) return expect(await store.identities.count()).toBe(0);
      const stores = await Promise.all([openStore(fixture.sharedUrl), openStore(fixture.sharedUrl), openStore(fixture.sharedUrl)]);
      extraStores.push(...stores);
      await stores[0]!.identities.upsertMany([identity('E1')]);
      for (const other of stores) expect(await other.identities.get('E1')).toEqual(identity('E1'));
    });
  });

  describe('identities', () => {
    it('round-trips identities exactly, optional fields absent or present', async () => {
      const full = identity('E2', { startAt: '2024-04-01T00:00:00.000Z', endAt: '2025-01-01T00:00:00.000Z', missingSince: T0, state: 'terminated' });
      await store.identities.upsertMany([identity('E1'), full]);
      expect(await store.identities.get('E1')).toStrictEqual(identity('E1'));
      expect(await store.identities.get('E2')).toStrictEqual(full);
      expect(await store.identities.get('nobody')).toBeUndefined();
    });

    it('replaces on upsert and keeps the last of duplicates in one call', async () => {
      await store.identities.upsertMany([identity('E1')]);
      await store.identities.upsertMany([
        identity('E1', { version: 2, attributes: { a: 1 } }),
        identity('E1', { version: 3, attributes: { a: 2 } }),
      ]);
      expect(await store.identities.get('E1')).toMatchObject({ version: 3, attributes: { a: 2 } });
      expect(await store.identities.count()).toBe(1);
    });

    it('gets many, lists in id order, filters by source, pages', async () => {
      const ids = ['E10', 'a1', 'E2', 'B1', 'E1'];
      await store.identities.upsertMany(ids.map((id) => identity(id, { sourceId: id.startsWith('E') ? 'hr' : 'contractors' })));
      const sorted = [...ids].sort();
      expect((await store.identities.list()).map((i) => i.id)).toEqual(sorted);
      expect((await store.identities.getMany(['E2', 'missing', 'E1', 'E2'])).map((i) => i.id)).toEqual(['E1', 'E2']);
      expect((await store.identities.list({ sourceId: 'contractors' })).map((i) => i.id)).toEqual(['B1', 'a1']);
      expect((await store.identities.list({ limit: 2 })).map((i) => i.id)).toEqual(sorted.slice(0, 2));
      expect((await store.identities.list({ limit: 2, offset: 2 })).map((i) => i.id)).toEqual(sorted.slice(2, 4));
      expect((await store.identities.list({ offset: 3 })).map((i) => i.id)).toEqual(sorted.slice(3));
      expect(await store.identities.count()).toBe(5);
    });

    it('writes batches larger than one statement can hold', async () => {
      const many = Array.from({ length: 7_000 }, (_, i) => identity(`P${String(i).padStart(5, '0')}`, { attributes: { i } }));
      await store.identities.upsertMany(many);
      expect(await store.identities.count()).toBe(7_000);
      const listed = await store.identities.list();
      expect(listed).toHaveLength(7_000);
      expect(listed[6_999]).toStrictEqual(many[6_999]);
      expect(await store.state.serial()).toBe(1);
    });

    it('appends lifecycle events and lists them per identity in recorded order', async () => {
      await store.identities.appendEvents([
        { kind: 'joiner', identityId: 'E1', effectiveAt: T0, recordedAt: T0, reasons: ['hire'] },
        { kind: 'joiner', identityId: 'E2', effectiveAt: T0, recordedAt: T0, reasons: [] },
      ]);
      const mover = {
        kind: 'mover' as const, identityId: 'E1', effectiveAt: '2024-05-01T00:00:00.000Z', recordedAt: '2024-04-01T00:00:00.000Z',
        changes: { department: { before: 'Sales', after: 'Engineering' } }, reasons: ['mover.department'],
      };
      await store.identities.appendEvents([mover]);
      await store.identities.appendEvents([]);
      const events = await store.identities.events('E1');
      expect(events).toStrictEqual([
        { kind: 'joiner', identityId: 'E1', effectiveAt: T0, recordedAt: T0, reasons: ['hire'] },
        mover,
      ]);
      expect(await store.identities.events('nobody')).toEqual([]);
    });
  });

  describe('accounts', () => {
    it('upserts, reads and removes links', async () => {
      const disabled = account('ldap', 'E1', { enabled: false, disabledAt: '2024-03-02T00:00:00.000Z', accountId: 'NULL' });
      await store.accounts.upsert(account('app', 'E1'));
      await store.accounts.upsertMany([disabled, account('app', 'E2'), account('app', 'E2', { accountId: 'renamed' })]);
      expect(await store.accounts.get('app', 'E1')).toStrictEqual(account('app', 'E1'));
      expect(await store.accounts.get('ldap', 'E1')).toStrictEqual(disabled);
      expect(await store.accounts.get('app', 'E2')).toMatchObject({ accountId: 'renamed' });
      expect(await store.accounts.get('app', 'nobody')).toBeUndefined();
      expect((await store.accounts.listByTarget('app')).map((a) => a.identityId)).toEqual(['E1', 'E2']);
      expect((await store.accounts.listByIdentity('E1')).map((a) => a.target)).toEqual(['app', 'ldap']);
      expect(await store.accounts.listAll()).toHaveLength(3);

      await store.accounts.upsert(account('app', 'E1', { enabled: false, entitlements: [] }));
      expect(await store.accounts.get('app', 'E1')).toMatchObject({ enabled: false, entitlements: [] });

      await store.accounts.remove('app', 'E1');
      expect(await store.accounts.get('app', 'E1')).toBeUndefined();
      expect(await store.accounts.listAll()).toHaveLength(2);
    });

    it('round-trips the memberships Roster never granted (notGranted), absent when none, through every read and a completion', async () => {
      const byHand = account('ldap', 'E1', { entitlements: ['staff', 'CN=VPN,OU=G', 'vpn 😀'], notGranted: ['CN=VPN,OU=G', 'vpn 😀'] });
      const none = account('ldap', 'E2', { notGranted: [] });
      await store.accounts.upsertMany([byHand, none, account('ldap', 'E3')]);
      const expected = [byHand, account('ldap', 'E2'), account('ldap', 'E3')];
      expect(await store.accounts.get('ldap', 'E1')).toStrictEqual(byHand);
      // An empty record is no record: read back without the field.
      expect(await store.accounts.get('ldap', 'E2')).toStrictEqual(account('ldap', 'E2'));
      expect(await store.accounts.listByTarget('ldap')).toStrictEqual(expected);
      expect(await store.accounts.listAll()).toStrictEqual(expected);
      expect(await store.accounts.getByAccountId('ldap', byHand.accountId)).toStrictEqual(byHand);
      expect(await store.accounts.getMany([{ target: 'ldap', identityId: 'E1' }])).toStrictEqual([byHand]);
      expect(await store.accounts.listByIdentity('E1')).toStrictEqual([byHand]);
      // Written without it (a grant took the last one): cleared, in the cache and in the rows alike.
      await store.accounts.upsert(account('ldap', 'E1', { entitlements: byHand.entitlements }));
      expect(await store.accounts.listAll()).toStrictEqual([account('ldap', 'E1', { entitlements: byHand.entitlements }), ...expected.slice(1)]);
      expect(await store.accounts.get('ldap', 'E1')).toStrictEqual(account('ldap', 'E1', { entitlements: byHand.entitlements }));
      // A queue completion writes it as an upsert does.
      await store.queue.enqueue([job('j1', 'ldap', 'E3', 1)]);
      expect(await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 })).toHaveLength(1);
      const adopted = account('ldap', 'E3', { notGranted: ['staff'] });
      expect(await store.queue.completeMany('w', [{ jobId: 'j1', effects: { upsertAccount: adopted } }])).toEqual([true]);
      expect(await store.accounts.listAll()).toContainEqual(adopted);
      expect(await store.accounts.listByTarget('ldap')).toContainEqual(adopted);
    });

    it('reads the links of many (target, identity) pairs at once, those that exist', async () => {
      const disabled = account('ldap', 'E1', { enabled: false, disabledAt: '2024-03-02T00:00:00.000Z' });
      await store.accounts.upsertMany([account('app', 'E1'), account('app', 'E2'), disabled]);
      const refs = [
        { target: 'app', identityId: 'E2' }, { target: 'ldap', identityId: 'E1' }, { target: 'app', identityId: 'nobody' },
        { target: 'ldap', identityId: 'E2' }, { target: 'app', identityId: 'E2' },
      ];
      const found = await store.accounts.getMany(refs);
      const byKey = (a: { target: string; identityId: string }) => `${a.target}/${a.identityId}`;
      expect(found.map(byKey).sort()).toEqual(['app/E2', 'ldap/E1']);
      expect(found.find((a) => a.target === 'ldap')).toStrictEqual(disabled);
      expect(await store.accounts.getMany([])).toEqual([]);
      const many = Array.from({ length: 1200 }, (_, i) => ({ target: 'app', identityId: i === 1100 ? 'E1' : `X${i}` }));
      expect((await store.accounts.getMany(many)).map(byKey)).toEqual(['app/E1']);
    });
  });

  describe('serial', () => {
    it('moves exactly once per identity or account write, and for nothing else', async () => {
      expect(await store.state.serial()).toBe(0);
      await store.identities.upsertMany([identity('E1'), identity('E2'), identity('E3')]);
      expect(await store.state.serial()).toBe(1);
      await store.identities.upsertMany([]);
      await store.accounts.upsertMany([]);
      await store.identities.appendEvents([{ kind: 'joiner', identityId: 'E1', effectiveAt: T0, recordedAt: T0, reasons: [] }]);
      await store.plans.save(plan('p1', T0));
      await store.state.set('cursor', 1);
      await store.audit.append([{ kind: 'x', actor: 'system' }]);
      expect(await store.state.serial()).toBe(1);
      await store.accounts.upsert(account('app', 'E1'));
      expect(await store.state.serial()).toBe(2);
      await store.accounts.upsertMany([account('app', 'E2'), account('app', 'E3')]);
      expect(await store.state.serial()).toBe(3);
      await store.accounts.remove('app', 'E2');
      expect(await store.state.serial()).toBe(4);
    });
  });

  describe('read cache (identities.list, accounts.listAll)', () => {
    /** The same rows read past the cache: paged identities, links target by target. */
    const uncachedIdentities = (from: Store) => from.identities.list({ offset: 0 });
    async function uncachedLinks(from: Store, targets: readonly string[]) {
      return (await Promise.all([...targets].sort().map((t) => from.accounts.listByTarget(t)))).flat();
    }

    it('returns every write of this store, in the database order, through small and large merges', async () => {
      await store.identities.upsertMany(['E5', 'E1', 'E3'].map((id) => identity(id)));
      await store.accounts.upsertMany([account('ldap', 'E1'), account('app', 'E3')]);
      expect((await store.identities.list()).map((i) => i.id)).toEqual(['E1', 'E3', 'E5']); // cached from here on
      expect((await store.accounts.listAll()).map((a) => `${a.target}/${a.identityId}`)).toEqual(['app/E3', 'ldap/E1']);

      // Small writes (spliced in place), including ids whose UTF-16 order differs from the database's code point order.
      await store.identities.upsertMany([identity('E2', { version: 2 }), identity('E\u{1F600}'), identity('E\uFF21'), identity('E3', { state: 'terminated' })]);
      await store.accounts.upsert(account('app', 'E1', { attributes: { undefinedGoes: undefined, n: 1 } }));
      await store.accounts.remove('ldap', 'E1');
      await store.accounts.remove('ldap', 'nobody');
      // A large write (merged in one pass).
      const many = Array.from({ length: 150 }, (_, i) => identity(`M${String(i).padStart(3, '0')}`));
      await store.identities.upsertMany([...many].reverse());
      await store.accounts.upsertMany(many.map((i) => account(i.id.endsWith('0') ? 'aaa' : 'zzz', i.id)));

      const listed = await store.identities.list();
      expect(listed).toStrictEqual(await uncachedIdentities(store));
      expect(listed.map((i) => i.id).filter((id) => id.startsWith('E'))).toEqual(['E1', 'E2', 'E3', 'E5', 'E\uFF21', 'E\u{1F600}']);
      expect(listed.find((i) => i.id === 'E3')).toMatchObject({ state: 'terminated' });
      const links = await store.accounts.listAll();
      expect(links).toStrictEqual(await uncachedLinks(store, ['aaa', 'app', 'ldap', 'zzz']));
      expect(links.find((a) => a.target === 'app' && a.identityId === 'E1')!.attributes).toStrictEqual({ n: 1 });
      expect(links).toHaveLength(152);
      // A copy each time: the caller may sort or splice its array.
      listed.length = 0;
      expect(await store.identities.list()).toHaveLength(156);
    });

    it('is left right by a rolled-back write', async () => {
      await store.identities.upsertMany([identity('E1')]);
      await store.accounts.upsert(account('app', 'E1'));
      expect(await store.identities.list()).toHaveLength(1);
      expect(await store.accounts.listAll()).toHaveLength(1);
      const serial = await store.state.serial();

      // NOT NULL violated after the serial bump and after a good row: the whole transaction rolls back.
      await expect(store.identities.upsertMany([identity('E2'), identity('E3', { sourceId: null as unknown as string })])).rejects.toThrow();
      await expect(store.accounts.upsertMany([account('app', 'E2'), account('app', 'E3', { accountId: null as unknown as string })])).rejects.toThrow();
      expect(await store.state.serial()).toBe(serial);
      expect((await store.identities.list()).map((i) => i.id)).toEqual(['E1']);
      expect((await store.accounts.listAll()).map((a) => a.identityId)).toEqual(['E1']);

      // The next good write moves the serial to where a wrongly applied rollback would have put the cache.
      await store.identities.upsertMany([identity('E4')]);
      await store.accounts.upsert(account('app', 'E4'));
      expect((await store.identities.list()).map((i) => i.id)).toEqual(['E1', 'E4']);
      expect((await store.accounts.listAll()).map((a) => a.identityId)).toEqual(['E1', 'E4']);
    });

    it('sees writes made through another store on the same database', async () => {
      const other = await secondStore();
      await store.identities.upsertMany([identity('E1')]);
      await store.accounts.upsert(account('app', 'E1'));
      expect(await store.identities.list()).toHaveLength(1);
      expect(await store.accounts.listAll()).toHaveLength(1);
      expect(await other.identities.list()).toHaveLength(1);
      expect(await other.accounts.listAll()).toHaveLength(1);

      await other.identities.upsertMany([identity('E2'), identity('E1', { version: 7 })]);
      await other.accounts.upsertMany([account('app', 'E2')]);
      await other.accounts.remove('app', 'E1');
      expect(await store.identities.list()).toStrictEqual([identity('E1', { version: 7 }), identity('E2')]);
      expect(await store.accounts.listAll()).toStrictEqual([account('app', 'E2')]);

      // The other store writes, then this one: this store's entry is two writes behind and must not take its own write alone.
      await other.identities.upsertMany([identity('E3')]);
      await store.identities.upsertMany([identity('E4')]);
      await other.accounts.upsert(account('ldap', 'E3'));
      await store.accounts.upsert(account('ldap', 'E4'));
      expect((await store.identities.list()).map((i) => i.id)).toEqual(['E1', 'E2', 'E3', 'E4']);
      expect((await other.identities.list()).map((i) => i.id)).toEqual(['E1', 'E2', 'E3', 'E4']);
      expect((await store.accounts.listAll()).map((a) => `${a.target}/${a.identityId}`)).toEqual(['app/E2', 'ldap/E3', 'ldap/E4']);
      expect((await other.accounts.listAll()).map((a) => `${a.target}/${a.identityId}`)).toEqual(['app/E2', 'ldap/E3', 'ldap/E4']);
    });

    it('shows the links written and removed by complete and completeMany', async () => {
      await store.accounts.upsertMany([account('app', 'E1'), account('ldap', 'E2'), account('scim', 'E3')]);
      await store.identities.upsertMany([identity('E1')]);
      expect(await store.accounts.listAll()).toHaveLength(3);
      expect(await store.identities.list()).toHaveLength(1);
      await store.queue.enqueue([job('j1', 'app', 'E1', 1), job('j2', 'ldap', 'E2', 2), job('j3', 'scim', 'E3', 3), job('j4', 'app', 'E4', 4)]);
      expect(await store.queue.claim({ workerId: 'w', limit: 10, leaseMs: 60_000 })).toHaveLength(4);
      const before = await store.state.serial();

      expect(await store.queue.complete('j1', 'w', { upsertAccount: account('app', 'E1', { enabled: false, disabledAt: T0 }) })).toBe(true);
      // Two removals and an upsert: three bumps in one transaction.
      expect(await store.queue.completeMany('w', [
        { jobId: 'j2', effects: { removeAccount: { target: 'ldap', identityId: 'E2' } } },
        { jobId: 'j3', effects: { removeAccount: { target: 'scim', identityId: 'E3' } } },
        { jobId: 'j4', effects: { upsertAccount: account('app', 'E4') } },
        { jobId: 'j1', effects: { upsertAccount: account('app', 'E1') } }, // already done: not written
      ])).toEqual([true, true, true, false]);
      expect(await store.state.serial()).toBe(before + 4);

      const links = await store.accounts.listAll();
      expect(links).toStrictEqual([account('app', 'E1', { enabled: false, disabledAt: T0 }), account('app', 'E4')]);
      expect(links).toStrictEqual(await uncachedLinks(store, ['app', 'ldap', 'scim']));
      expect(await store.identities.list()).toStrictEqual([identity('E1')]);
    });

    it('serves a full list from the cache while the serial has not moved', async () => {
      await store.identities.upsertMany([identity('E1')]);
      await store.accounts.upsert(account('app', 'E1'));
      const first = await store.identities.list();
      const firstLinks = await store.accounts.listAll();
      await store.identities.upsertMany([identity('E2')]); // written through: still served from the cache
      await store.accounts.upsert(account('app', 'E2'));
      if (fixture.sharedUrl === undefined) {
        expect(await store.identities.list()).toStrictEqual([...first, identity('E2')]);
        return expect(await store.accounts.listAll()).toStrictEqual([...firstLinks, account('app', 'E2')]);
      }
      // A change behind the store's back that does not move the serial (which no store writer does) stays unseen...
      await rawExecute(fixture.url, `update roster_identities set state = 'terminated'`);
      await rawExecute(fixture.url, `update roster_accounts set enabled = 0`);
      expect((await store.identities.list()).map((i) => i.state)).toEqual(['active', 'active']);
      expect((await store.accounts.listAll()).map((a) => a.enabled)).toEqual([true, true]);
      // ...until the serial moves.
      await rawExecute(fixture.url, `update roster_counters set value = value + 1 where name = 'serial'`);
      expect((await store.identities.list()).map((i) => i.state)).toEqual(['terminated', 'terminated']);
      expect((await store.accounts.listAll()).map((a) => a.enabled)).toEqual([false, false]);
    });
    it('fills the cache from one source\'s list when that source is everyone (what an ingest reads first)', async () => {
      await store.identities.upsertMany([identity('E2'), identity('E1')]);
      expect((await store.identities.list({ sourceId: 'hr' })).map((i) => i.id)).toEqual(['E1', 'E2']);
      await store.identities.upsertMany([identity('E3')]); // brings the entry the source's list left forward
      if (fixture.sharedUrl !== undefined) {
        // Before any full list: a change behind the store's back that does not move the serial is unseen only when cached.
        await rawExecute(fixture.url, `update roster_identities set state = 'terminated'`);
        expect((await store.identities.list()).map((i) => i.state)).toEqual(['active', 'active', 'active']);
        return;
      }
      const listed = await store.identities.list();
      expect(listed).toStrictEqual(await uncachedIdentities(store));
      expect(listed.map((i) => i.id)).toEqual(['E1', 'E2', 'E3']);
    });

    it('does not take one source\'s list for everyone when other sources have identities', async () => {
      await store.identities.upsertMany([identity('E1'), identity('E2', { sourceId: 'contractors' })]);
      expect((await store.identities.list({ sourceId: 'hr' })).map((i) => i.id)).toEqual(['E1']);
      expect((await store.identities.list()).map((i) => i.id)).toEqual(['E1', 'E2']);
      expect((await store.identities.list({ sourceId: 'contractors' })).map((i) => i.id)).toEqual(['E2']);
    });
  });

  describe('plans', () => {
    it('saves and reads plans, newest first, replacing on save', async () => {
      const first = plan('p1', '2024-01-01T00:00:00.000Z');
      const second = plan('p2', '2024-01-02T00:00:00.000Z', [change('app', 'E1'), change('ldap', 'E1', 'disable')]);
      await store.plans.save(first);
      await store.plans.save(second);
      expect(await store.plans.get('p2')).toStrictEqual(second);
      expect(await store.plans.get('nope')).toBeUndefined();
      expect((await store.plans.list()).map((p) => p.id)).toEqual(['p2', 'p1']);
      expect(await store.plans.list({ limit: 1 })).toStrictEqual([second]);

      const held = { ...first, held: true, holds: [{ target: 'app', code: 'safety.max_deletes', message: 'too many', count: 9, limit: 5 }] };
      await store.plans.save(held);
      expect(await store.plans.get('p1')).toStrictEqual(held);
      expect(await store.plans.list()).toHaveLength(2);
    });

    it('lists without change bodies when asked for summaries only', async () => {
      await store.plans.save(plan('p1', T0, [change('app', 'E1'), change('app', 'E2')]));
      const list = store.plans.list as (options: { limit?: number; summaryOnly?: boolean }) => Promise<Plan[]>;
      const [summary] = await list({ summaryOnly: true });
      expect(summary).toMatchObject({ id: 'p1', summary: { create: 2 }, changes: [] });
    });
  });

  describe('queue', () => {
    it('enqueues idempotently and reads jobs back', async () => {
      await store.queue.enqueue([job('j2', 'app', 'E1', 2), job('j1', 'app', 'E2', 1), job('x1', 'app', 'E3', 1, 'p2')]);
      await store.queue.enqueue([job('j1', 'app', 'E2', 1)]);
      const [claimed] = await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, now: at(0) });
      await store.queue.enqueue([job(claimed!.id, 'app', 'E9', 9, 'p9')]);
      expect(await store.queue.get(claimed!.id)).toMatchObject({ status: 'running', attempts: 1 });

      const jobs = await store.queue.listByPlan('p1');
      expect(jobs.map((j) => j.id)).toEqual(['j1', 'j2']);
      const j2 = await store.queue.get('j2');
      expect(j2).toMatchObject({ planId: 'p1', target: 'app', orderingKey: 'app:E1', seq: 2, status: 'pending', attempts: 0 });
      expect(j2!.change).toStrictEqual(change('app', 'E1'));
      expect(j2!.leaseUntil).toBeUndefined();
      expect(await store.queue.get('nope')).toBeUndefined();
    });

    it('lists a plan\'s job states: every field of listByPlan but the change, in the same order', async () => {
      await store.queue.enqueue([job('j2', 'app', 'E1', 2), job('j1', 'app', 'E2', 1), job('x1', 'app', 'E3', 1, 'p2')]);
      const [claimed] = await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, now: at(0) });
      await store.queue.fail(claimed!.id, 'boom', null);
      const states = await store.queue.listStatesByPlan('p1');
      const jobs = await store.queue.listByPlan('p1');
      expect(states).toStrictEqual(jobs.map(({ change: _change, ...state }) => state));
      expect(states.map((s) => [s.id, s.status])).toEqual([['j1', 'failed'], ['j2', 'pending']]);
      expect(states[0]).toMatchObject({ lastError: 'boom', attempts: 1 });
      expect(states[0]).not.toHaveProperty('change');
      expect(await store.queue.listStatesByPlan('nope')).toEqual([]);
      expect((await store.queue.listStatesByPlan('p1', ['pending', 'running'])).map((s) => s.id)).toEqual(['j2']);
      expect(await store.queue.listStatesByPlan('p1', [])).toEqual([]);
      expect(await store.queue.stats({ planId: 'p1' })).toEqual({ pending: 1, running: 0, done: 0, failed: 1, cancelled: 0 });
      expect(await store.queue.stats({ planId: 'p2', target: 'app' })).toEqual({ pending: 1, running: 0, done: 0, failed: 0, cancelled: 0 });
    });

    it('claims due jobs only, leasing them', async () => {
      await store.queue.enqueue([job('j1', 'app', 'E1', 1), job('j2', 'app', 'E2', 2)]);
      const claimed = await store.queue.claim({ workerId: 'w1', limit: 10, leaseMs: 30_000, now: at(0) });
      expect(claimed.map((j) => j.id)).toEqual(['j1', 'j2']);
      expect(claimed[0]).toMatchObject({ status: 'running', attempts: 1, leaseUntil: at(30_000).toISOString() });
      expect(await store.queue.get('j1')).toMatchObject({ status: 'running', leaseUntil: at(30_000).toISOString() });
      expect(await store.queue.claim({ workerId: 'w2', limit: 10, leaseMs: 30_000, now: at(1_000) })).toEqual([]);
    });

    it('takes the changes the caller holds (knownChange) and reads the others, with the same job otherwise', async () => {
      await store.queue.enqueue([job('j1', 'app', 'E1', 1), job('j2', 'app', 'E2', 2), job('j3', 'app', 'E3', 3)]);
      const held = { ...change('app', 'E2'), reasons: ['held.by.caller'] };
      const asked: string[] = [];
      const claimed = await store.queue.claim({
        workerId: 'w', limit: 10, leaseMs: 30_000, now: at(0),
        knownChange: (state) => {
          asked.push(`${state.planId}/${state.id}/${state.status}`);
          return state.id === 'j2' ? held : undefined;
        },
      });
      expect(asked.sort()).toEqual(['p1/j1/running', 'p1/j2/running', 'p1/j3/running']);
      expect(claimed.map((j) => j.id)).toEqual(['j1', 'j2', 'j3']);
      expect(claimed[1]!.change).toBe(held);
      expect(claimed[0]!.change).toStrictEqual(change('app', 'E1'));
      expect(claimed[2]!.change).toStrictEqual(change('app', 'E3'));
      // Apart from where the change came from, the jobs are what a claim without the callback returns.
      const stored = await store.queue.listByPlan('p1');
      expect(claimed.map(({ change: _c, ...state }) => state)).toStrictEqual(stored.map(({ change: _c, ...state }) => state));
    });

    it('does not claim a job before its nextRunAt', async () => {
      await store.queue.enqueue([job('j1', 'app', 'E1', 1)]);
      expect(await store.queue.claim({ workerId: 'w', limit: 5, leaseMs: 1000, now: new Date(Date.now() - 60_000) })).toEqual([]);
      expect(await store.queue.claim({ workerId: 'w', limit: 5, leaseMs: 1000 })).toHaveLength(1);
    });

    it('makes jobs due at the time they are enqueued with, which may be behind the wall clock', async () => {
      const past = new Date(Date.now() - 3_600_000);
      await store.queue.enqueue([job('j1', 'app', 'E1', 1)], { now: past });
      expect(await store.queue.get('j1')).toMatchObject({ nextRunAt: past.toISOString() });
      expect(await store.queue.claim({ workerId: 'w', limit: 5, leaseMs: 1000, now: new Date(past.getTime() - 1) })).toEqual([]);
      expect(await store.queue.claim({ workerId: 'w', limit: 5, leaseMs: 1000, now: past })).toHaveLength(1);
    });

    it('runs jobs of one ordering key one at a time, in seq order', async () => {
      await store.queue.enqueue([job('k3', 'app', 'E1', 3), job('k1', 'app', 'E1', 1), job('k2', 'app', 'E1', 2), job('o1', 'app', 'E2', 4)]);
      const opts = { workerId: 'w', limit: 10, leaseMs: 60_000, now: at(0) };
      expect((await store.queue.claim(opts)).map((j) => j.id)).toEqual(['k1', 'o1']);
      expect(await store.queue.claim(opts)).toEqual([]);
      await store.queue.fail('k1', 'timeout', at(5_000));
      expect(await store.queue.claim(opts)).toEqual([]);
      expect((await store.queue.claim({ ...opts, now: at(5_000) })).map((j) => j.id)).toEqual(['k1']);
      expect(await store.queue.complete('k1', 'w')).toBe(true);
      expect((await store.queue.claim({ ...opts, now: at(5_000) })).map((j) => j.id)).toEqual(['k2']);
      await store.queue.fail('k2', 'rejected', null);
      expect((await store.queue.claim({ ...opts, now: at(5_000) })).map((j) => j.id)).toEqual(['k3']);
    });

    it('holds a later plan\'s job behind an unfinished job of an earlier plan on the same key', async () => {
      await store.queue.enqueue([job('a5', 'app', 'E1', 5, 'plan-a')]);
      await store.queue.enqueue([job('b1', 'app', 'E1', 1, 'plan-b')]);
      const opts = { workerId: 'w', limit: 10, leaseMs: 60_000, now: at(0) };
      expect((await store.queue.claim(opts)).map((j) => j.id)).toEqual(['a5']);
      expect(await store.queue.claim(opts)).toEqual([]);
      await store.queue.complete('a5', 'w');
      expect((await store.queue.claim(opts)).map((j) => j.id)).toEqual(['b1']);
    });

    it('respects per-target running limits, counting leases already held', async () => {
      await store.queue.enqueue([
        ...Array.from({ length: 5 }, (_, i) => job(`a${i}`, 'app', `E${i}`, i)),
        ...Array.from({ length: 3 }, (_, i) => job(`l${i}`, 'ldap', `E${i}`, 10 + i)),
      ]);
      const opts = { limit: 10, leaseMs: 60_000, now: at(0), perTarget: { app: 2 } };
      const first = await store.queue.claim({ ...opts, workerId: 'w1' });
      expect(first.filter((j) => j.target === 'app')).toHaveLength(2);
      expect(first.filter((j) => j.target === 'ldap')).toHaveLength(3);
      expect(await store.queue.claim({ ...opts, workerId: 'w2' })).toEqual([]);
      await store.queue.complete(first[0]!.id, 'w1');
      const next = await store.queue.claim({ ...opts, workerId: 'w2' });
      expect(next.map((j) => j.target)).toEqual(['app']);
      // Expired leases no longer count: the slots come back and the jobs are claimable again.
      const later = await store.queue.claim({ ...opts, workerId: 'w3', now: at(120_000), perTarget: { app: 3 } });
      expect(later.filter((j) => j.target === 'app')).toHaveLength(3);
      expect(await store.queue.stats({ target: 'app' })).toEqual({ pending: 1, running: 3, done: 1, failed: 0, cancelled: 0 });
    });

    it('claims only the targets asked for, up to the limit', async () => {
      await store.queue.enqueue([job('a1', 'app', 'E1', 1), job('l1', 'ldap', 'E1', 2), job('a2', 'app', 'E2', 3)]);
      expect(await store.queue.claim({ workerId: 'w', limit: 5, leaseMs: 1000, now: at(0), targets: [] })).toEqual([]);
      expect((await store.queue.claim({ workerId: 'w', limit: 5, leaseMs: 1000, now: at(0), targets: ['ldap'] })).map((j) => j.id)).toEqual(['l1']);
      expect((await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 1000, now: at(0) })).map((j) => j.id)).toEqual(['a1']);
      expect(await store.queue.claim({ workerId: 'w', limit: 0, leaseMs: 1000, now: at(0) })).toEqual([]);
    });

    it('re-leases a job whose lease expired; the old worker can no longer complete it', async () => {
      await store.identities.upsertMany([identity('E1')]);
      await store.queue.enqueue([job('j1', 'app', 'E1', 1)]);
      await store.queue.claim({ workerId: 'crashed', limit: 1, leaseMs: 1_000, now: at(0) });
      expect(await store.queue.claim({ workerId: 'w2', limit: 1, leaseMs: 1_000, now: at(500) })).toEqual([]);
      const [again] = await store.queue.claim({ workerId: 'w2', limit: 1, leaseMs: 60_000, now: at(1_000) });
      expect(again).toMatchObject({ id: 'j1', attempts: 2, leaseUntil: at(61_000).toISOString() });

      const serial = await store.state.serial();
      const stale = await store.queue.complete('j1', 'crashed', {
        upsertAccount: account('app', 'E1'), audit: [{ kind: 'change.applied', actor: 'executor:crashed' }],
      });
      expect(stale).toBe(false);
      expect(await store.accounts.get('app', 'E1')).toBeUndefined();
      expect(await store.audit.list()).toEqual([]);
      expect(await store.state.serial()).toBe(serial);
      expect(await store.queue.get('j1')).toMatchObject({ status: 'running' });

      expect(await store.queue.complete('j1', 'w2', { upsertAccount: account('app', 'E1') })).toBe(true);
      expect(await store.accounts.get('app', 'E1')).toStrictEqual(account('app', 'E1'));
    });

    it('completes with the link and audit in the same transaction, exactly once', async () => {
      await store.accounts.upsert(account('ldap', 'E2'));
      await store.queue.enqueue([job('j1', 'app', 'E1', 1), job('j2', 'ldap', 'E2', 2), job('j3', 'app', 'E3', 3)]);
      await store.queue.claim({ workerId: 'w', limit: 3, leaseMs: 60_000, now: at(0) });
      const serial = await store.state.serial();

      const applied = { kind: 'change.applied', actor: 'executor:w', identity: 'E1', target: 'app', reasons: ['joiner'], after: { enabled: true }, data: { planId: 'p1' } };
      expect(await store.queue.complete('j1', 'w', { upsertAccount: account('app', 'E1'), audit: [applied] })).toBe(true);
      expect(await store.queue.complete('j1', 'w', { upsertAccount: account('app', 'E1'), audit: [applied] })).toBe(false);
      expect(await store.accounts.get('app', 'E1')).toStrictEqual(account('app', 'E1'));
      expect(await store.state.serial()).toBe(serial + 1);
      const audit = await store.audit.list();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject(applied);
      expect(await store.queue.get('j1')).toMatchObject({ status: 'done' });
      expect((await store.queue.get('j1'))!.leaseUntil).toBeUndefined();

      expect(await store.queue.complete('j2', 'w', { removeAccount: { target: 'ldap', identityId: 'E2' } })).toBe(true);
      expect(await store.accounts.get('ldap', 'E2')).toBeUndefined();
      expect(await store.state.serial()).toBe(serial + 2);

      expect(await store.queue.complete('j3', 'w')).toBe(true);
      expect(await store.state.serial()).toBe(serial + 2);
      expect(await store.queue.complete('missing', 'w')).toBe(false);
    });

    it('writes nothing when completing fails half way', async () => {
      await store.queue.enqueue([job('j1', 'app', 'E1', 1)]);
      await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, now: at(0) });
      const serial = await store.state.serial();
      const unserialisable = { kind: 'change.applied', actor: 'w', data: { big: 1n } };
      await expect(store.queue.complete('j1', 'w', { upsertAccount: account('app', 'E1'), audit: [unserialisable] })).rejects.toThrow();
      expect(await store.queue.get('j1')).toMatchObject({ status: 'running' });
      expect(await store.accounts.get('app', 'E1')).toBeUndefined();
      expect(await store.state.serial()).toBe(serial);
      expect(await store.audit.list()).toEqual([]);
      expect(await store.queue.complete('j1', 'w')).toBe(true);
    });

    it('fails with a retry, then for good with audit entries', async () => {
      await store.queue.enqueue([job('j1', 'app', 'E1', 1)]);
      await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, now: at(0) });
      await store.queue.fail('j1', 'connection reset', at(10_000));
      expect(await store.queue.get('j1')).toMatchObject({
        status: 'pending', lastError: 'connection reset', nextRunAt: at(10_000).toISOString(), attempts: 1,
      });
      expect(await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, now: at(9_999) })).toEqual([]);
      const [retried] = await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, now: at(10_000) });
      expect(retried).toMatchObject({ id: 'j1', attempts: 2 });

      await store.queue.fail('j1', 'rejected: bad uid', null, [{ kind: 'change.failed', actor: 'executor:w', identity: 'E1', target: 'app' }]);
      expect(await store.queue.get('j1')).toMatchObject({ status: 'failed', lastError: 'rejected: bad uid' });
      expect((await store.audit.list()).map((e) => e.kind)).toEqual(['change.failed']);
      expect(await store.queue.complete('j1', 'w')).toBe(false);
      await store.queue.fail('j1', 'again', null, [{ kind: 'change.failed', actor: 'x' }]);
      expect(await store.audit.list()).toHaveLength(1);
      await expect(store.queue.fail('missing', 'x', null)).rejects.toSatisfy((e) => isRosterError(e, 'store.not_found'));
    });

    it('cancels pending jobs by target or plan, and counts by status', async () => {
      await store.queue.enqueue([
        job('a1', 'app', 'E1', 1), job('a2', 'app', 'E2', 2), job('l1', 'ldap', 'E1', 3),
        job('q1', 'scim', 'E1', 1, 'p2'), job('q2', 'scim', 'E2', 2, 'p2'),
      ]);
      await store.queue.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, now: at(0), targets: ['app'] });
      expect(await store.queue.stats()).toEqual({ pending: 4, running: 1, done: 0, failed: 0, cancelled: 0 });
      expect(await store.queue.cancel({ target: 'app' })).toBe(1);
      expect(await store.queue.get('a2')).toMatchObject({ status: 'cancelled' });
      expect(await store.queue.get('a1')).toMatchObject({ status: 'running' });
      expect(await store.queue.cancel({ planId: 'p2' })).toBe(2);
      expect(await store.queue.cancel({ planId: 'p2' })).toBe(0);
      expect(await store.queue.cancel({ planId: 'p1', target: 'ldap' })).toBe(1);
      await store.queue.complete('a1', 'w');
      expect(await store.queue.stats()).toEqual({ pending: 0, running: 0, done: 1, failed: 0, cancelled: 4 });
      expect(await store.queue.stats({ target: 'app' })).toEqual({ pending: 0, running: 0, done: 1, failed: 0, cancelled: 1 });
      expect(await store.queue.stats({ planId: 'p2' })).toEqual({ pending: 0, running: 0, done: 0, failed: 0, cancelled: 2 });
      expect(await store.queue.stats({ target: 'none' })).toEqual({ pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 });
      await expect(store.queue.cancel({})).rejects.toSatisfy((e) => isRosterError(e, 'request.invalid'));
    });

    it('never leases one job to two racing workers', async () => {
      const other = await secondStore();
      const total = 60;
      await store.queue.enqueue(Array.from({ length: total }, (_, i) => job(`j${i}`, i % 2 === 0 ? 'app' : 'ldap', `E${i}`, i)));
      const seen = new Map<string, string>();
      const worker = async (s: Store, workerId: string): Promise<void> => {
        for (;;) {
          const jobs = await s.queue.claim({ workerId, limit: 4, leaseMs: 60_000, perTarget: { app: 3 } });
          if (jobs.length === 0 && (await s.queue.stats()).pending === 0) return;
          for (const j of jobs) {
            expect(seen.has(j.id), `${j.id} leased twice`).toBe(false);
            seen.set(j.id, workerId);
            expect(await s.queue.complete(j.id, workerId, { audit: [{ kind: 'change.applied', actor: workerId, data: { job: j.id } }] })).toBe(true);
          }
        }
      };
      await Promise.all([worker(store, 'w1'), worker(other, 'w2'), worker(store, 'w3'), worker(other, 'w4')]);
      expect(seen.size).toBe(total);
      expect(await store.queue.stats()).toEqual({ pending: 0, running: 0, done: total, failed: 0, cancelled: 0 });
      const entries = await store.audit.list();
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(new Set(entries.map((e) => (e.data as { job: string }).job)).size).toBe(total);
    });

    it('completes many jobs in one call: effects in order, lost leases and repeats skipped', async () => {
      await store.accounts.upsert(account('ldap', 'E2'));
      await store.queue.enqueue([job('m1', 'app', 'E1', 1), job('m2', 'ldap', 'E2', 2), job('m3', 'app', 'E3', 3), job('m4', 'app', 'E4', 4)]);
      await store.queue.claim({ workerId: 'w', limit: 3, leaseMs: 60_000, now: at(0) });
      await store.queue.claim({ workerId: 'other', limit: 1, leaseMs: 60_000, now: at(0) });
      const serial = await store.state.serial();
      const entry = (id: string) => ({ kind: 'change.applied', actor: 'executor:w', data: { job: id } });
      const result = await store.queue.completeMany('w', [
        { jobId: 'm1', effects: { upsertAccount: account('app', 'E1'), audit: [entry('m1')] } },
        { jobId: 'm2', effects: { removeAccount: { target: 'ldap', identityId: 'E2' }, audit: [entry('m2')] } },
        { jobId: 'm4', effects: { upsertAccount: account('app', 'E4'), audit: [entry('m4')] } },
        { jobId: 'm1', effects: { audit: [entry('m1 again')] } },
        { jobId: 'missing' },
        { jobId: 'm3', effects: { upsertAccount: account('app', 'E3', { enabled: false }), audit: [entry('m3')] } },
      ]);
      expect(result).toEqual([true, true, false, false, false, true]);
      expect(await store.accounts.get('app', 'E1')).toStrictEqual(account('app', 'E1'));
      expect(await store.accounts.get('app', 'E3')).toStrictEqual(account('app', 'E3', { enabled: false }));
      expect(await store.accounts.get('ldap', 'E2')).toBeUndefined();
      expect(await store.accounts.get('app', 'E4')).toBeUndefined();
      expect(await store.state.serial()).toBeGreaterThan(serial);
      const audit = await store.audit.list();
      expect(audit.map((e) => (e.data as { job: string }).job)).toEqual(['m1', 'm2', 'm3']);
      expect(audit.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect((await store.queue.listByPlan('p1')).map((j) => j.status)).toEqual(['done', 'done', 'done', 'running']);
      expect(await store.queue.completeMany('w', [])).toEqual([]);
    });

    it('completes many: the last effect on a link wins, and a bad effect writes nothing', async () => {
      await store.queue.enqueue([job('a', 'app', 'E1', 1), job('b', 'app', 'E1', 2, 'p2'), job('c', 'app', 'E2', 3)]);
      await store.queue.claim({ workerId: 'w', limit: 3, leaseMs: 60_000, now: at(0) });
      const serial = await store.state.serial();
      const bad = { kind: 'change.applied', actor: 'w', data: { big: 1n } };
      await expect(store.queue.completeMany('w', [
        { jobId: 'a', effects: { upsertAccount: account('app', 'E1') } },
        { jobId: 'c', effects: { upsertAccount: account('app', 'E2'), audit: [bad] } },
      ])).rejects.toThrow();
      expect(await store.queue.get('a')).toMatchObject({ status: 'running' });
      expect(await store.accounts.get('app', 'E1')).toBeUndefined();
      expect(await store.state.serial()).toBe(serial);
      expect(await store.audit.list()).toEqual([]);

      expect(await store.queue.completeMany('w', [
        { jobId: 'a', effects: { upsertAccount: account('app', 'E1'), audit: [{ kind: 'change.applied', actor: 'w' }] } },
        { jobId: 'c', effects: { removeAccount: { target: 'app', identityId: 'E1' } } },
      ])).toEqual([true, true]);
      expect(await store.accounts.get('app', 'E1')).toBeUndefined();
      expect(await store.audit.list()).toHaveLength(1);
    });

    it('releases leased jobs not started: pending again, attempt undone, only for their worker', async () => {
      await store.queue.enqueue([job('r1', 'app', 'E1', 1), job('r2', 'app', 'E1', 2), job('r3', 'app', 'E3', 3)]);
      const claimed = await store.queue.claim({ workerId: 'w', limit: 5, leaseMs: 60_000, now: at(0) });
      expect(claimed.map((j) => j.id)).toEqual(['r1', 'r3']);
      expect(await store.queue.release(['r1', 'r3', 'r2', 'missing'], 'someone-else')).toBe(0);
      expect(await store.queue.release(['r1', 'r3', 'r2', 'missing'], 'w')).toBe(2);
      expect(await store.queue.get('r1')).toMatchObject({ status: 'pending', attempts: 0 });
      expect((await store.queue.get('r1'))!.leaseUntil).toBeUndefined();
      expect(await store.queue.complete('r1', 'w')).toBe(false);
      expect(await store.queue.release([], 'w')).toBe(0);
      const again = await store.queue.claim({ workerId: 'w2', limit: 5, leaseMs: 60_000, now: at(1_000) });
      expect(again.map((j) => [j.id, j.attempts])).toEqual([['r1', 1], ['r3', 1]]);
    });

    it('lets a lone worker lease up to its window; others then share the per-target limit', async () => {
      await store.queue.enqueue(Array.from({ length: 12 }, (_, i) => job(`w${i}`, 'app', `E${i}`, i)));
      const opts = { limit: 20, leaseMs: 60_000, now: at(0), perTarget: { app: 2 }, window: { app: 6 } };
      expect(await store.queue.claim({ ...opts, workerId: 'w1' })).toHaveLength(6);
      // w1 holds 6 >= 2: another worker gets nothing, and w1 no more than its window.
      expect(await store.queue.claim({ ...opts, workerId: 'w2' })).toEqual([]);
      expect(await store.queue.claim({ ...opts, workerId: 'w1' })).toEqual([]);
      expect(await store.queue.completeMany('w1', ['w0', 'w1', 'w2', 'w3', 'w4'].map((jobId) => ({ jobId })))).toEqual([true, true, true, true, true]);
      // w1 holds 1 of the limit 2: w2 may take 1; from then on both together stay within 2.
      expect(await store.queue.claim({ ...opts, workerId: 'w2' })).toHaveLength(1);
      expect(await store.queue.claim({ ...opts, workerId: 'w1' })).toEqual([]);
      // w1 done: w2 is alone on the target and may fill its own window.
      expect(await store.queue.complete('w5', 'w1')).toBe(true);
      expect(await store.queue.claim({ ...opts, workerId: 'w2' })).toHaveLength(5);
      expect(await store.queue.claim({ ...opts, workerId: 'w1' })).toEqual([]);
      expect((await store.queue.stats({ target: 'app' })).running).toBe(6);
    });
  });

  describe('audit', () => {
    function strip(entry: { hash: string; prevHash: string }): object {
      const { hash: _hash, prevHash: _prev, ...rest } = entry;
      return rest;
    }

    it('chains entries: seq without gaps, hashes recomputable from what is read back', async () => {
      const appended = await store.audit.append([
        { kind: 'plan.created', actor: 'cli:ann', data: { planId: 'p1', counts: { create: 2 } } },
        { kind: 'identity.joiner', actor: 'source:hr', identity: 'E1', reasons: ['joiner'], before: null, after: { state: 'active' } },
      ]);
      await store.audit.append([{ kind: 'change.applied', actor: 'executor:w', identity: 'E1', target: 'app', reasons: [], data: { z: 1, a: [1, { y: 2, x: 'é' }] } }]);
      expect(await store.audit.append([])).toEqual([]);
      expect(appended.map((e) => e.seq)).toEqual([1, 2]);
      expect(appended[0]!.prevHash).toBe(GENESIS_HASH);

      const all: Awaited<ReturnType<Store['audit']['list']>> = [];
      for await (const entry of store.audit.iterate()) all.push(entry);
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(all.slice(0, 2)).toStrictEqual(appended);
      expect(all[1]).toMatchObject({ before: null, after: { state: 'active' }, reasons: ['joiner'] });
      expect(all[0]).not.toHaveProperty('identity');
      expect(all[0]).not.toHaveProperty('before');
      let prev = GENESIS_HASH;
      for (const entry of all) {
        expect(entry.prevHash).toBe(prev);
        expect(entry.hash).toBe(auditHash(prev, strip(entry) as Parameters<typeof auditHash>[1]));
        expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
        prev = entry.hash;
      }
    });

    it('append with returning: false writes the same chain and returns nothing', async () => {
      const inputs = [
        { kind: 'identity.joiner', actor: 'source:hr', identity: 'E1', reasons: ['joiner'], data: { effectiveAt: '2026-11-27' } },
        { kind: 'change.applied', actor: 'executor:w', identity: 'E1', target: 'app', before: null, after: { b: 2, a: [1, 'é'] } },
      ];
      expect(await store.audit.append(inputs, { returning: false })).toEqual([]);
      const returned = await store.audit.append(inputs);
      const all = await store.audit.list();
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(all.slice(2)).toStrictEqual(returned);
      expect(all.slice(0, 2).map(strip).map((e) => ({ ...e, seq: 0, at: '' }))).toEqual(returned.map(strip).map((e) => ({ ...e, seq: 0, at: '' })));
      let prev = GENESIS_HASH;
      for (const entry of all) {
        expect(entry.hash).toBe(auditHash(prev, strip(entry) as Parameters<typeof auditHash>[1]));
        prev = entry.hash;
      }
    });

    it('lists with filters and iterates in batches', async () => {
      for (let i = 0; i < 5; i++) {
        await store.audit.append(Array.from({ length: 5 }, (_, k) => ({
          kind: k % 2 === 0 ? 'change.applied' : 'change.failed', actor: 'system', identity: `E${k}`,
        })));
      }
      expect((await store.audit.list({ afterSeq: 20 })).map((e) => e.seq)).toEqual([21, 22, 23, 24, 25]);
      expect((await store.audit.list({ afterSeq: 3, limit: 2 })).map((e) => e.seq)).toEqual([4, 5]);
      expect((await store.audit.list({ identity: 'E1' })).map((e) => e.seq)).toEqual([2, 7, 12, 17, 22]);
      expect(await store.audit.list({ kind: 'change.failed' })).toHaveLength(10);
      expect(await store.audit.list({ kind: 'change.failed', identity: 'E0' })).toEqual([]);
      const seqs: number[] = [];
      for await (const entry of store.audit.iterate(4)) seqs.push(entry.seq);
      expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    });

    it('keeps one chain when several writers append at once', async () => {
      const other = await secondStore();
      await Promise.all(Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? store : other).audit.append([{ kind: 'k', actor: `a${i}` }, { kind: 'k', actor: `b${i}` }])));
      const all = await store.audit.list();
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      let prev = GENESIS_HASH;
      for (const entry of all) {
        expect(entry.hash).toBe(auditHash(prev, strip(entry) as Parameters<typeof auditHash>[1]));
        prev = entry.hash;
      }
    });
  });

  describe('tokens', () => {
    it('stores tokens by hash, lists, revokes and touches them', async () => {
      const token = { id: 't1', name: 'ci', scopes: ['api:read', 'push:hr'], createdAt: T0 };
      await store.tokens.create({ ...token, hash: 'a'.repeat(64) });
      await store.tokens.create({ id: 't2', name: 'scim', scopes: ['scim'], createdAt: '2024-03-02T00:00:00.000Z', hash: 'b'.repeat(64) });
      expect(await store.tokens.findByHash('a'.repeat(64))).toStrictEqual(token);
      expect(await store.tokens.findByHash('c'.repeat(64))).toBeUndefined();
      expect((await store.tokens.list()).map((t) => t.id)).toEqual(['t1', 't2']);
      expect(await store.tokens.list()).not.toContainEqual(expect.objectContaining({ hash: expect.anything() }));

      await store.tokens.touch('t1', new Date(T0));
      expect(await store.tokens.findByHash('a'.repeat(64))).toMatchObject({ lastUsedAt: T0 });
      expect(await store.tokens.revoke('t1')).toBe(true);
      expect(await store.tokens.revoke('t1')).toBe(false);
      expect(await store.tokens.revoke('nope')).toBe(false);
      expect((await store.tokens.findByHash('a'.repeat(64)))!.revokedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

      await expect(store.tokens.create({ ...token, id: 't3', hash: 'b'.repeat(64) }))
        .rejects.toSatisfy((e) => isRosterError(e, 'store.conflict'));
    });
  });

  describe('state', () => {
    it('keeps small JSON values by key', async () => {
      expect(await store.state.get('cursor:hr')).toBeUndefined();
      await store.state.set('cursor:hr', { etag: 'x', at: T0, n: [1, 2] });
      expect(await store.state.get('cursor:hr')).toStrictEqual({ etag: 'x', at: T0, n: [1, 2] });
      await store.state.set('cursor:hr', 'replaced');
      expect(await store.state.get<string>('cursor:hr')).toBe('replaced');
      await store.state.set('quarantine:app', false);
      expect(await store.state.get('quarantine:app')).toBe(false);
      await store.state.set('cursor:hr', undefined);
      expect(await store.state.get('cursor:hr')).toBeUndefined();
      expect(typeof (await store.state.serial())).toBe('number');
    });

    it('setIfAbsent: of stores racing to set a key, one value wins and every one of them gets it', async () => {
      const other = await secondStore();
      const values = await Promise.all([
        store.state.setIfAbsent('scim:key', 'first'), other.state.setIfAbsent('scim:key', 'second'),
        store.state.setIfAbsent('scim:key', 'third'), other.state.setIfAbsent('scim:key', 'fourth'),
      ]);
      expect(new Set(values).size).toBe(1);
      expect(['first', 'second', 'third', 'fourth']).toContain(values[0]);
      expect(await store.state.get('scim:key')).toBe(values[0]);
      expect(await other.state.setIfAbsent('scim:key', 'later')).toBe(values[0]);
      await store.state.set('scim:key', undefined);
      expect(await other.state.setIfAbsent('scim:key', { n: 1 })).toEqual({ n: 1 });
    });

    it('update: read-modify-writes from two connections racing on one key all land; undefined removes the key', async () => {
      const other = await secondStore();
      const add = (s: Store, item: string) => s.state.update<string[]>('held:ad', (current) => [...(current ?? []), item]);
      await Promise.all(Array.from({ length: 40 }, (_, i) => add(i % 2 === 0 ? store : other, `v${i}`)));
      const held = await store.state.get<string[]>('held:ad');
      expect(held).toHaveLength(40);
      expect([...(held ?? [])].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`).sort());
      expect(await other.state.update<string[]>('held:ad', (current) => current?.slice(0, 1))).toHaveLength(1);
      expect(await store.state.update('held:ad', () => undefined)).toBeUndefined();
      expect(await other.state.get('held:ad')).toBeUndefined();
    });
  });
});

// ------------------------------------------------------------------ other processes

const WORKER = fileURLToPath(new URL('../../src/store/testing/worker.ts', import.meta.url));

function spawnWorker(url: string, workerId: string, mode: 'drain' | 'crash'): { child: ChildProcess; firstLine: Promise<string[]> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, workerId, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const firstLine = new Promise<string[]>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)) as string[]);
    });
    child.on('exit', (code) => reject(new Error(`worker ${workerId} exited with ${code}: ${err}`)));
  });
  return { child, firstLine };
}

describe.each(backEnds.filter((b) => b.name !== 'sqlite (memory)'))('store across processes: $name', (backEnd) => {
  let fixture: Fixture;
  let store: Store;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    fixture = await backEnd.fixture();
    store = await openStore(fixture.url);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await store.close();
    await fixture.cleanup();
  });

  it('three worker processes drain one queue: every job done once, one audit chain', async () => {
    const total = 90;
    await store.queue.enqueue(Array.from({ length: total }, (_, i) => job(`j${i}`, ['app', 'ldap', 'scim'][i % 3]!, `E${i % 30}`, i)));
    const workers = ['p1', 'p2', 'p3'].map((id) => spawnWorker(fixture.url, id, 'drain'));
    children.push(...workers.map((w) => w.child));
    const completed = (await Promise.all(workers.map((w) => w.firstLine))).flat();
    expect(completed).toHaveLength(total);
    expect(new Set(completed).size).toBe(total);
    expect(await store.queue.stats()).toEqual({ pending: 0, running: 0, done: total, failed: 0, cancelled: 0 });
    expect(await store.accounts.listAll()).toHaveLength(30); // i % 30 fixes both the identity and the target
    const entries = await store.audit.list();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    let prev = GENESIS_HASH;
    for (const entry of entries) {
      const { hash, prevHash, ...rest } = entry;
      expect(prevHash).toBe(prev);
      expect(hash).toBe(auditHash(prev, rest));
      prev = hash;
    }
    // Per-key order held across processes: each key's jobs completed in seq order.
    const order = entries.map((e) => Number((e.data as { jobId: string }).jobId.slice(1)));
    for (let k = 0; k < 30; k++) {
      const ofKey = order.filter((seq) => seq % 30 === k);
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
    }
  });

  it('loses nothing and duplicates nothing when a worker is killed with -9 holding leases', async () => {
    await store.queue.enqueue(Array.from({ length: 5 }, (_, i) => job(`j${i}`, 'app', `E${i}`, i)));
    const crashing = spawnWorker(fixture.url, 'doomed', 'crash');
    children.push(crashing.child);
    const leased = await crashing.firstLine;
    expect(leased).toHaveLength(5);
    crashing.child.kill('SIGKILL');
    await new Promise((resolve) => crashing.child.once('exit', resolve));

    expect(await store.queue.claim({ workerId: 'survivor', limit: 10, leaseMs: 60_000 })).toEqual([]);
    const reclaimed = await store.queue.claim({ workerId: 'survivor', limit: 10, leaseMs: 60_000, now: new Date(Date.now() + 61_000) });
    expect(reclaimed.map((j) => j.id).sort()).toEqual([...leased].sort());
    expect(reclaimed.every((j) => j.attempts === 2)).toBe(true);
    for (const j of reclaimed) expect(await store.queue.complete(j.id, 'doomed')).toBe(false);
    for (const j of reclaimed) expect(await store.queue.complete(j.id, 'survivor')).toBe(true);
    expect(await store.queue.stats()).toEqual({ pending: 0, running: 0, done: 5, failed: 0, cancelled: 0 });
  });
});

describe('openStore', () => {
  it('refuses an unknown url with config.invalid', async () => {
    await expect(openStore('mysql://x')).rejects.toSatisfy((e) => isRosterError(e, 'config.invalid'));
    await expect(openStore('postgres://root@127.0.0.1:5432/test?schema=bad;drop')).rejects.toSatisfy((e) => isRosterError(e, 'config.invalid'));
  });

  it('reports an unreachable database as store.unavailable without the password', async () => {
    const error = await openStore('postgres://root:s3cret@127.0.0.1:1/test').catch((e: unknown) => e);
    expect(isRosterError(error, 'store.unavailable')).toBe(true);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('resolves relative sqlite paths against baseDir and creates the directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-base-'));
    try {
      const first = await openStore('sqlite:data/deep/roster.db', { baseDir: dir });
      await first.state.set('k', 1);
      await first.close();
      const again = await openStore(`sqlite:${join(dir, 'data', 'deep', 'roster.db')}`);
      expect(await again.state.get('k')).toBe(1);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
