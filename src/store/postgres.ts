import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { RosterError } from '../core/errors.js';
import type { Backend } from './backend.js';
import { postgresWrite, type StoreContext } from './context.js';
import { migratePostgres } from './migrate.js';
import { ReadCache } from './read-cache.js';
import type { Database } from './schema.js';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * `postgres://user@host:port/db[?schema=name]`. With a schema, every
 * connection's search_path is that schema only, so every table (and the
 * migration bookkeeping) lives there.
 */
export function openPostgres(url: string): Backend {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new RosterError('config.invalid', `store schema must match ${SCHEMA_NAME.source}`);
  }
  parsed.searchParams.delete('schema');
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its connection must not crash the process; the next
  // query on a fresh client reports the problem instead.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const context: StoreContext = {
    db,
    dialect: 'postgres',
    // The advisory locks (claims, audit appends, state updates) of every process on the same tables must
    // meet: without ?schema= the tables are in public (unless a schema named after the user exists).
    lockNamespace: `${parsed.pathname}/${schema ?? 'public'}`,
    write: postgresWrite(db),
    cache: new ReadCache(),
  };
  return {
    context,
    migrate: () => migratePostgres(db, schema),
    close: () => db.destroy(),
  };
}

/** Where the database is, for messages: never the password. */
export function describePostgres(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'postgres';
  }
}
