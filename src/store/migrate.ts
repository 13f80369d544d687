import { Migrator, sql, type DatabaseIntrospector, type TableMetadata } from 'kysely';
import type { Db, Dialect, StoreContext } from './context.js';
import { migrations } from './migrations.js';

function migrator(db: Db, dialect: Dialect, schema?: string): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

/**
 * The store's Migrator for `db`, asking only about the store's own schema on
 * PostgreSQL (see ownSchemaOnly): for tools and tests that migrate to a given
 * level (upgrade tests); opening a store migrates to the latest by itself.
 */
export function storeMigrator(db: Db, dialect: Dialect, schema?: string): Migrator {
  return dialect === 'postgres' ? migrator(ownSchemaOnly(db, schema), dialect, schema) : migrator(db, dialect);
}

async function runToLatest(m: Migrator): Promise<void> {
  const { error } = await m.migrateToLatest();
  if (error !== undefined) throw error;
}

/**
 * SQLite: the whole migration runs inside one BEGIN IMMEDIATE transaction
 * (SQLite has transactional DDL), so a second process starting at the same
 * moment waits for the write lock (see sqliteWrite) and then finds nothing to do.
 */
export async function migrateSqlite(write: StoreContext['write']): Promise<void> {
  await write((conn) => runToLatest(migrator(conn, 'sqlite')));
}

/**
 * PostgreSQL: the schema is created under an advisory lock (two concurrent
 * `create schema if not exists` can collide), then Kysely's Migrator runs the
 * migrations in a transaction under its own advisory lock.
 */
export async function migratePostgres(db: Db, schema: string | undefined): Promise<void> {
  if (schema !== undefined) {
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('roster:create-schema'))`.execute(trx);
      await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
    });
  }
  await runToLatest(migrator(ownSchemaOnly(db, schema), 'postgres', schema));
}

/**
 * The Migrator asks which schemas and tables exist before it migrates.
 * Kysely's PostgreSQL introspector answers by reading every column of every
 * table in the database and calling has_schema_privilege() and
 * pg_get_serial_sequence() on each: slow in a shared database, and it fails
 * with "schema … does not exist" when another session drops a schema while
 * the query runs. Without a store schema it also counts a `kysely_migration`
 * table of any other schema as Roster's own, and the store then fails to open.
 * This answers for the store's schema only (the search path's first schema
 * when none is set), with names only, which is all the Migrator reads.
 */
function ownSchemaOnly(db: Db, schema: string | undefined): Db {
  const own = schema === undefined ? sql<string>`current_schema()` : sql<string>`${schema}`;
  const introspection: DatabaseIntrospector = {
    async getSchemas() {
      const rows = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${own}`.execute(db);
      return rows.rows;
    },
    async getTables(): Promise<TableMetadata[]> {
      const rows = await sql<{ name: string; schema: string; kind: string }>`
        select c.relname as name, n.nspname as schema, c.relkind as kind
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${own} and c.relkind in ('r', 'p', 'v')`.execute(db);
      return rows.rows.map((row) => ({ name: row.name, schema: row.schema, isView: row.kind === 'v', columns: [] }));
    },
    async getMetadata() {
      return { tables: await this.getTables() };
    },
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      // Kysely's methods use private fields: they must run on the instance itself, not on the proxy.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
