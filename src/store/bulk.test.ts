import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bulkInsert, type BulkValue } from './bulk.js';
import type { Db, StoreContext } from './context.js';
import { SqliteStatementCache } from './sqlite-statements.js';

/** The SQLite path only needs the connection's statements (the transaction object is not used). */
function sqliteContext(): { ctx: StoreContext; database: BetterSqlite3.Database } {
  const database = new BetterSqlite3(':memory:');
  database.exec('create table t (k text primary key, v integer, w text)');
  return { ctx: { dialect: 'sqlite', sqlite: new SqliteStatementCache(database) } as unknown as StoreContext, database };
}

describe('bulkInsert on SQLite', () => {
  it('writes rows in multi-row chunks, the remainder included, with every value bound', async () => {
    const { ctx, database } = sqliteContext();
    const rows: BulkValue[][] = Array.from({ length: 150 }, (_, i) => [`k${i}`, i, i % 3 === 0 ? null : `it's "${i}"`]);
    expect(await bulkInsert(ctx, {} as Db, { table: 't', columns: ['k', 'v', 'w'] }, rows)).toBe(150);
    const stored = database.prepare('select k, v, w from t order by v').raw().all();
    expect(stored).toEqual(rows);
  });

  it('applies conflicts row by row, in order, within and across chunks', async () => {
    const { ctx, database } = sqliteContext();
    const spec = { table: 't', columns: ['k', 'v', 'w'], key: ['k'], onConflict: 'update' } as const;
    // k0 comes back inside the first chunk (row 10) and in the last one (row 140): the last word wins.
    const rows: BulkValue[][] = Array.from({ length: 150 }, (_, i) => [i === 10 || i === 140 ? 'k0' : `k${i}`, i, 'x']);
    await bulkInsert(ctx, {} as Db, spec, rows);
    expect(database.prepare('select count(*) from t').pluck().get()).toBe(148);
    expect(database.prepare('select v from t where k = ?').pluck().get('k0')).toBe(140);
    await bulkInsert(ctx, {} as Db, { ...spec, onConflict: 'ignore' }, [['k0', -1, 'y'], ['new', 1, 'y']]);
    expect(database.prepare('select v from t where k = ?').pluck().get('k0')).toBe(140);
    expect(database.prepare('select count(*) from t').pluck().get()).toBe(149);
  });
});
