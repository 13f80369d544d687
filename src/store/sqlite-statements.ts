import type BetterSqlite3 from 'better-sqlite3';

/** A prepared statement, as far as the SQLite fast paths use it. */
export interface SqliteStatement {
  run(...parameters: unknown[]): { readonly changes: number };
  iterate(...parameters: unknown[]): IterableIterator<unknown>;
}

/** SQLite's one connection as the fast paths see it (ctx.sqlite). */
export interface SqliteConnection {
  /**
   * The prepared statement for `sql`, kept by its text; with `raw`, rows come
   * back as arrays of column values (no object with column names per row).
   */
  statement(sql: string, options?: { readonly raw?: boolean }): SqliteStatement;
  /** Whether a transaction is open on the connection. */
  readonly inTransaction: boolean;
}

/**
 * Statements kept by SQL text (at most this many): the queue, link, audit and
 * SCIM paths run the same few shapes for every change and request. Values are
 * always bound, so only code and the filter shapes clients use make texts;
 * the bound keeps a client inventing shapes from growing the cache.
 */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The one statement cache of a SQLite store, shared by Kysely (every query
 * it runs prepares through `forKysely`) and by the fast paths that bypass the
 * query builder (bulk inserts, raw-row reads). A statement busy in an
 * unfinished iteration is never handed out twice: a fresh one is prepared.
 */
export class SqliteStatementCache implements SqliteConnection {
  readonly #database: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(database: BetterSqlite3.Database) {
    this.#database = database;
  }

  get inTransaction(): boolean {
    return this.#database.inTransaction;
  }

  statement(sql: string, options: { readonly raw?: boolean } = {}): BetterSqlite3.Statement {
    const raw = options.raw === true;
    const key = raw ? `raw:${sql}` : sql;
    const cached = this.#statements.get(key);
    if (cached !== undefined && !cached.busy) return cached;
    const statement = this.#database.prepare(sql);
    if (raw) statement.raw(true);
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value as string);
    this.#statements.set(key, statement);
    return statement;
  }

  /** The `database` Kysely's SqliteDialect wants: its queries prepare through this cache. */
  forKysely(): { close(): void; prepare(sql: string): BetterSqlite3.Statement } {
    return { close: () => this.#database.close(), prepare: (sql) => this.statement(sql) };
  }
}
