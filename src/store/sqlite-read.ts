import type { SqliteStatement, SqliteStatements } from './bulk.js';
import type { StoreContext } from './context.js';

const prepared = new WeakMap<SqliteStatements, Map<string, SqliteStatement>>();

function statement(database: SqliteStatements, sql: string): SqliteStatement {
  let cache = prepared.get(database);
  if (!cache) prepared.set(database, (cache = new Map()));
  let found = cache.get(sql);
  if (!found) cache.set(sql, (found = database.prepare(sql).raw(true)));
  return found;
}

/**
 * Bulk reads on SQLite without the query builder: a cached prepared
 * statement in raw mode (each row an array of column values, no object with
 * column names) handed row by row to `each`, so the caller decodes straight
 * into its own objects. The read runs while holding Kysely's connection, so
 * it never sees a write transaction of this process half-way.
 * `sql` comes from code; every value is a bound parameter.
 */
export async function eachRawRow(
  ctx: StoreContext, database: SqliteStatements, sql: string, parameters: readonly unknown[], each: (row: readonly unknown[]) => void,
): Promise<void> {
  await ctx.db.connection().execute(async () => {
    for (const row of statement(database, sql).iterate(...parameters)) each(row as readonly unknown[]);
  });
}
