import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

/**
 * The application's tables are named by configuration at run time, so the
 * query builder cannot know their shape statically.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- table and column names come from config at run time
export type AppDatabase = Kysely<any>;

export interface OpenedDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  /** Queries go through this one: already scoped to the configured schema on PostgreSQL. */
  readonly db: AppDatabase;
  /** PostgreSQL schema from `?schema=`, if any. */
  readonly schema: string | undefined;
  close(): Promise<void>;
}

/** Open the application database named by a `sqlite:` or `postgres://` URL. */
export function openDatabase(url: string, baseDir: string): OpenedDatabase {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    const file = path === ':memory:' || path === '' ? ':memory:' : isAbsolute(path) ? path : resolve(baseDir, path);
    const db: AppDatabase = new Kysely({
      dialect: new SqliteDialect({
        database: async () => {
          // The file is created on first use; its folder may not exist yet (a fresh demo, a new project).
          if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
          const database = new BetterSqlite3(file);
          database.pragma('busy_timeout = 5000');
          // WAL lets readers (the application itself) work while we write; NORMAL sync is still safe against a killed process.
          if (file !== ':memory:') {
            database.pragma('journal_mode = WAL');
            database.pragma('synchronous = NORMAL');
          }
          return database;
        },
      }),
    });
    return { dialect: 'sqlite', db, schema: undefined, close: () => db.destroy() };
  }
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  const pool = new pg.Pool({ connectionString: parsed.toString(), max: 10 });
  // An idle pooled connection that dies (server restart, pg_terminate_backend, a dropped TCP link) is reported
  // by an 'error' event on the pool; without a listener Node throws it and the whole process exits. The pool
  // has already discarded that client: the next query opens a new connection, and a failing one is a
  // retryable error of that query.
  pool.on('error', () => undefined);
  const base: AppDatabase = new Kysely({ dialect: new PostgresDialect({ pool }) });
  const db = schema === undefined ? base : base.withSchema(schema);
  return { dialect: 'postgres', db, schema, close: () => base.destroy() };
}
