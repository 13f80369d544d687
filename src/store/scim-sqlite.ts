/**
 * The SCIM store's fast path on SQLite: compiled queries run through the
 * store's statement cache in raw mode (arrays, no object per row), reads
 * through the shared gate that keeps them out of another caller's open write
 * transaction (sqlite-read.ts).
 */
import type { CompiledQuery } from 'kysely';
import type { StoreContext } from './context.js';
import { sqliteRead } from './sqlite-read.js';

export type SqliteRun = (compiled: CompiledQuery) => unknown[][];

export interface ScimSqlite {
  /** Runs one statement at once; inside ctx.write for writes, inside `read` for reads. */
  readonly run: SqliteRun;
  read<T>(read: () => T): Promise<T>;
}

/** The fast path for one store, or undefined on PostgreSQL. */
export function scimSqlite(ctx: StoreContext): ScimSqlite | undefined {
  const sqlite = ctx.sqlite;
  if (sqlite === undefined) return undefined;
  return {
    run: (compiled) => [...sqlite.statement(compiled.sql, { raw: true }).iterate(...compiled.parameters)] as unknown[][],
    read: (read) => sqliteRead(ctx, sqlite, read),
  };
}
