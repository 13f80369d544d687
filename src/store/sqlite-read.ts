import type { StoreContext } from './context.js';
import type { SqliteConnection } from './sqlite-statements.js';

/**
 * A synchronous read on SQLite's one connection, never inside a write
 * transaction of this process half-way: at once when no transaction is open
 * (better-sqlite3 is synchronous, so nothing can interleave with the read),
 * otherwise once Kysely hands the connection back. The common case skips
 * Kysely's connection hand-over, its mutex and a promise chain per read.
 */
export async function sqliteRead<T>(ctx: StoreContext, sqlite: SqliteConnection, read: () => T): Promise<T> {
  if (!sqlite.inTransaction) return read();
  return ctx.db.connection().execute(async () => read());
}

/**
 * Bulk reads without the query builder: a cached statement in raw mode (each
 * row an array of column values) handed row by row to `each`, so the caller
 * decodes straight into its own objects. `sql` comes from code; every value
 * is a bound parameter.
 */
export function eachRawRow(
  ctx: StoreContext, sqlite: SqliteConnection, sql: string, parameters: readonly unknown[], each: (row: readonly unknown[]) => void,
): Promise<void> {
  return sqliteRead(ctx, sqlite, () => {
    for (const row of sqlite.statement(sql, { raw: true }).iterate(...parameters)) each(row as readonly unknown[]);
  });
}
