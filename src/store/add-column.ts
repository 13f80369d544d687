import { sql, type Kysely } from 'kysely';
import type { Dialect } from './context.js';

/**
 * Adds a nullable text column to a table unless it is there: a migration may
 * run again (a store rebuilt from its migration record), and SQLite has no
 * `add column if not exists`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
export async function addTextColumnOnce(db: Kysely<any>, dialect: Dialect, table: string, column: string): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table ${sql.table(table)} add column if not exists ${sql.ref(column)} text`.execute(db);
    return;
  }
  const columns = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  if (columns.rows.some((c) => c.name === column)) return;
  await db.schema.alterTable(table).addColumn(column, 'text').execute();
}
