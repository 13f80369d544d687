import { sql } from 'kysely';
import type { SqlConnectionConfig } from './config.js';
import type { OpenedDatabase } from './database.js';
import type { UserMapping } from './mapping.js';

/** Create the user and membership tables when missing (`createTables: true`). */
export async function createTables(opened: OpenedDatabase, config: SqlConnectionConfig, mapping: UserMapping): Promise<void> {
  const { db, dialect, schema } = opened;
  if (schema !== undefined) await db.schema.createSchema(schema).ifNotExists().execute();
  const { users, memberships } = config;
  let table = db.schema.createTable(users.table).ifNotExists()
    .addColumn(users.key, 'text', (c) => c.primaryKey());
  const seen = new Set([users.key]);
  for (const column of Object.values(users.columns)) {
    if (seen.has(column)) continue;
    seen.add(column);
    table = table.addColumn(column, 'text');
  }
  if (users.enabled !== undefined && !seen.has(users.enabled.column)) {
    const on = mapping.enabledOn;
    const type = typeof on === 'string' ? 'text' : typeof on === 'boolean' ? 'boolean' : dialect === 'sqlite' ? 'integer' : 'bigint';
    table = table.addColumn(users.enabled.column, type, (c) => c.notNull().defaultTo(sql.lit(on)));
  }
  await table.execute();
  if (memberships === undefined) return;
  await db.schema.createTable(memberships.table).ifNotExists()
    .addColumn(memberships.user, 'text', (c) => c.notNull())
    .addColumn(memberships.group, 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${memberships.table}_pkey`, [memberships.user, memberships.group])
    .execute();
}
