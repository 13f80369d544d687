/**
 * The SCIM store's fast path on SQLite's raw connection: prepared statements
 * kept by SQL text, rows in raw mode (arrays, no object per row), and the
 * gate that keeps a read out of another caller's open write transaction.
 */
import type { CompiledQuery } from 'kysely';
import type { SqliteStatement, SqliteStatements } from './bulk.js';
import type { StoreContext } from './context.js';

/**
 * Prepared SQLite statements kept by SQL text. Values are always bound, so
 * the texts are the filter shapes clients use (a handful per identity
 * provider); the bound keeps a client inventing shapes from growing it.
 */
const STATEMENT_CACHE_SIZE = 200;

export type SqliteRun = (compiled: CompiledQuery) => unknown[][];

export interface ScimSqlite {
  /** Runs one statement at once; inside ctx.write for writes, inside `read` for reads. */
  readonly run: SqliteRun;
  /**
   * A synchronous read on SQLite's connection: at once when no transaction is
   * open on it (better-sqlite3 is synchronous, so nothing can interleave), or
   * once Kysely's connection is free when a write transaction of this process
   * is open (its uncommitted rows must not be read). The common case skips
   * Kysely's connection hand-over, a mutex and a promise chain per read.
   */
  read<T>(read: () => T): Promise<T>;
}

/** better-sqlite3's Database says whether a transaction is open on it; other SqliteStatements may not. */
function idle(database: SqliteStatements): boolean {
  return 'inTransaction' in database && database.inTransaction === false;
}

/**
 * Runs reads (and writes with RETURNING) on SQLite's raw connection through
 * prepared statements kept by SQL text, rows in raw mode (arrays, no object
 * per row): no query builder and no preparing per request. Reads go through
 * ScimSqlite.read and writes run inside ctx.write, so a read never lands
 * inside another caller's open write transaction.
 */
function cachedStatements(database: SqliteStatements): SqliteRun {
  const statements = new Map<string, SqliteStatement>();
  return (compiled) => {
    let statement = statements.get(compiled.sql);
    if (statement === undefined) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      statement = database.prepare(compiled.sql).raw(true);
      statements.set(compiled.sql, statement);
    }
    return [...statement.iterate(...compiled.parameters)] as unknown[][];
  };
}

/** The fast path for one store, or undefined on PostgreSQL (ctx.sqlite is SQLite's raw connection). */
export function scimSqlite(ctx: StoreContext): ScimSqlite | undefined {
  const database = ctx.sqlite;
  if (database === undefined) return undefined;
  return {
    run: cachedStatements(database),
    async read(read) {
      if (idle(database)) return read();
      return ctx.db.connection().execute(async () => read());
    },
  };
}
