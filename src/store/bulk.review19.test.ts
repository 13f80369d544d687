import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isRosterError } from '../core/errors.js';
import { bulkInsert, type BulkInsert, type BulkValue } from './bulk.js';
import type { Db, StoreContext } from './context.js';
import { openStore } from './index.js';
import { SqliteStatementCache } from './sqlite-statements.js';
import type { Store } from './types.js';

function sqliteContext(): { ctx: StoreContext; database: BetterSqlite3.Database } {
  const database = new BetterSqlite3(':memory:');
  database.exec('create table t (k text primary key, v integer, w text)');
  return { ctx: { dialect: 'sqlite', sqlite: new SqliteStatementCache(database) } as unknown as StoreContext, database };
}

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

describe('bulkInsert: JSON columns and specs kept compiled', () => {
  it('skips the unstorable-text check only for the columns named as JSON', async () => {
    const { ctx, database } = sqliteContext();
    const spec: BulkInsert = { table: 't', columns: ['k', 'v', 'w'], json: ['w'] };
    const error = await bulkInsert(ctx, {} as Db, spec, [['a\u0000b', 1, '"x"']]).catch((e: unknown) => e);
    expect(isRosterError(error, 'request.invalid')).toBe(true);
    expect((error as Error).message).toMatch(/^t\.k /);
    await bulkInsert(ctx, {} as Db, spec, [['ok', 2, JSON.stringify('a\u0000b\ud800')]]);
    expect(JSON.parse(database.prepare('select w from t where k = ?').pluck().get('ok') as string)).toBe('a\u0000b\ud800');
  });

  it('one spec object serves every row count, its statement texts built once per count', async () => {
    const { ctx, database } = sqliteContext();
    const spec: BulkInsert = { table: 't', columns: ['k', 'v', 'w'], key: ['k'], onConflict: 'update' };
    let n = 0;
    for (const count of [1, 64, 65, 130, 1, 63]) {
      const rows: BulkValue[][] = Array.from({ length: count }, () => [`k${n}`, n++, null]);
      expect(await bulkInsert(ctx, {} as Db, spec, rows)).toBe(count);
    }
    expect(database.prepare('select count(*) from t').pluck().get()).toBe(n);
    // Another spec object for the same table keeps its own conflict clause.
    await bulkInsert(ctx, {} as Db, { ...spec, onConflict: 'ignore' }, [['k0', -1, 'y']]);
    await bulkInsert(ctx, {} as Db, spec, [['k1', -2, 'z']]);
    expect(database.prepare('select v from t where k in (?, ?) order by k').pluck().all('k0', 'k1')).toEqual([0, -2]);
  });

  it('a link whose attributes hold NUL and lone surrogates is written and read back as given (JSON escapes them)', async () => {
    const store = await openStore('sqlite::memory:');
    stores.push(store);
    const at = '2026-01-01T00:00:00.000Z';
    const link = {
      target: 'app', identityId: 'E1', accountId: 'e1', attributes: { nul: 'a\u0000b', lone: 'x\ud800y' }, entitlements: ['g\udc00'],
      enabled: true, createdAt: at, updatedAt: at,
    };
    await store.accounts.upsert(link);
    expect(await store.accounts.get('app', 'E1')).toEqual(link);
    // The id columns are still checked.
    const error = await store.accounts.upsert({ ...link, identityId: 'E\u00002' }).catch((e: unknown) => e);
    expect(isRosterError(error, 'request.invalid')).toBe(true);
  });
});
