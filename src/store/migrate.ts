import { Migrator, sql } from 'kysely';
import type { Db, Dialect, StoreContext } from './context.js';
import { migrations } from './migrations.js';

function migrator(db: Db, dialect: Dialect, schema?: string): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

async function runToLatest(m: Migrator): Promise<void> {
  const { error } = await m.migrateToLatest();
  if (error !== undefined) throw error;
}

/**
 * SQLite: the whole migration runs inside one BEGIN IMMEDIATE transaction
 * (SQLite has transactional DDL), so a second process starting at the same
 * moment waits on the write lock (busy_timeout) and then finds nothing to do.
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
  await runToLatest(migrator(db, 'postgres', schema));
}
