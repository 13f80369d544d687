import { RosterError } from '../core/errors.js';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { ReadCache } from './read-cache.js';
import type { Database } from './schema.js';
import type { Serialise } from './sqlite-lock.js';
import type { SqliteConnection } from './sqlite-statements.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

/**
 * What every sub-store needs: the Kysely instance, the dialect, and the two
 * places where the dialects differ: how a write transaction starts and how
 * writers serialise on a named lock.
 */
export interface StoreContext {
  readonly db: Db;
  readonly dialect: Dialect;
  /** Namespace for advisory lock keys (the PostgreSQL schema), so isolated schemas do not contend. */
  readonly lockNamespace: string;
  /**
   * Runs `fn` in a write transaction. SQLite: `BEGIN IMMEDIATE` on the one
   * connection (takes the database write lock up front; see sqliteWrite).
   * PostgreSQL: a READ COMMITTED transaction on one pooled connection.
   */
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** This store's cache of the full identity and link lists (see read-cache.ts). */
  readonly cache: ReadCache;
  /** SQLite only: the connection's prepared statements, for the paths that bypass the query builder (bulk.ts, sqlite-read.ts). */
  readonly sqlite?: SqliteConnection;
}

/** How long a SQLite write waits for another process's write lock before it gives up (store.unavailable, retryable). */
export const SQLITE_LOCK_WAIT_MS = 60_000;

/**
 * SQLite's write transaction. `tryBegin` runs BEGIN IMMEDIATE without
 * waiting: false when another process holds the write lock (a CLI command
 * beside `roster serve`). Then this waits here, polling between timers,
 * not in SQLite's busy handler: better-sqlite3 is synchronous, and its busy
 * wait would stop the whole process (every HTTP request, every worker)
 * for as long as it lasts. After `waitMs` the write fails with a retryable
 * `store.unavailable`, never a raw "database is locked".
 */
export function sqliteWrite(db: Db, serialise: Serialise, tryBegin: () => boolean, waitMs = SQLITE_LOCK_WAIT_MS): StoreContext['write'] {
  return (fn) => serialise(() =>
    db.connection().execute(async (conn) => {
      await beginWhenFree(tryBegin, waitMs);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw error;
      }
    }));
}

async function beginWhenFree(tryBegin: () => boolean, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let pause = 1; !tryBegin(); pause = Math.min(pause * 2, 50)) {
    if (Date.now() >= deadline) {
      throw new RosterError('store.unavailable', `the SQLite database is locked by another process (waited ${Math.round(waitMs / 1000)} s for its write lock)`, { retryable: true });
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * A write of one statement outside ctx.write. SQLite: in a write
 * transaction all the same, so it waits for another process's lock as
 * ctx.write does; PostgreSQL: on its own (no transaction round trips).
 */
export function writeOne<T>(ctx: StoreContext, fn: (db: Db) => Promise<T>): Promise<T> {
  return ctx.dialect === 'sqlite' ? ctx.write(fn) : fn(ctx.db);
}

export function postgresWrite(db: Db): StoreContext['write'] {
  return (fn) => db.transaction().execute((trx) => fn(trx));
}

/**
 * Serialises the rest of the transaction with every other holder of `name`.
 * PostgreSQL: pg_advisory_xact_lock, released at commit or rollback.
 * SQLite: nothing to do, a write transaction already holds the database lock.
 */
export async function lockFor(ctx: StoreContext, trx: Db, name: string): Promise<void> {
  if (ctx.dialect !== 'postgres') return;
  const key = `roster:${ctx.lockNamespace}:${name}`;
  await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

/**
 * `column in (values)` with the whole list as one parameter (a JSON array
 * on SQLite, a text[] on PostgreSQL): the statement's text is the same for
 * any count, so SQLite prepares it once, the query builder makes no node per
 * value, and no list needs cutting to fit the parameter limit.
 */
export function inList(ctx: StoreContext, column: string, values: readonly string[]): RawBuilder<SqlBool> {
  return ctx.dialect === 'sqlite'
    ? sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`
    : sql<SqlBool>`${sql.ref(column)} = any(${[...values]}::text[])`;
}

export function toNumber(value: number | string | bigint | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
