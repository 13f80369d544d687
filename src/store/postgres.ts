import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { RosterError } from '../core/errors.js';
import type { Backend } from './backend.js';
import { postgresWrite, type StoreContext } from './context.js';
import { migratePostgres } from './migrate.js';
import { asStoreError, guardClient } from './postgres-errors.js';
import { ReadCache } from './read-cache.js';
import type { Database } from './schema.js';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    // Not the URL parser's error: it carries the whole URL, password included.
    throw new RosterError('config.invalid', 'store url is not a valid URL (characters such as / @ : # in a user name or password must be percent-encoded)');
  }
}

/**
 * `postgres://user@host:port/db[?schema=name]`. With a schema, every
 * connection's search_path is that schema only, so every table (and the
 * migration bookkeeping) lives there. The name is taken as written, letter
 * case included (quoted in search_path, as it is in `create schema`).
 */
export function openPostgres(url: string): Backend {
  const parsed = parseUrl(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new RosterError('config.invalid', `store schema must match ${SCHEMA_NAME.source}`);
  }
  parsed.searchParams.delete('schema');
  // The URL's own `options` (say `-c statement_timeout=30s`) would replace the search_path below: both are kept.
  const given = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  const options = [given, schema === undefined ? undefined : `-c search_path="${schema}"`].filter((o) => o !== null && o !== undefined).join(' ');
  const where = describePostgres(url);
  const pool = new pg.Pool({ connectionString: parsed.toString(), max: 10, ...(options === '' ? {} : { options }) });
  // An idle client losing its connection must not crash the process; the next
  // query on a fresh client reports the problem instead.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => guardClient(client, where));
  const dialect = new PostgresDialect({
    pool: {
      connect: () => pool.connect().catch((error: unknown) => { throw asStoreError(error, where); }),
      end: () => pool.end(),
    },
  });
  const db = new Kysely<Database>({ dialect });
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
