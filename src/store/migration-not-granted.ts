import { sql, type Kysely } from 'kysely';
import type { Dialect } from './context.js';

/**
 * 0014_not_granted: the memberships of a linked account Roster never granted
 * (LinkedAccount.notGranted, a JSON array; NULL when none), recorded by
 * reconcile and the executor, so a revoke of one says `entitlement.not_granted`
 * rather than `role.removed`. Links stored before have none: their revokes
 * say `role.removed` until a reconcile pass finds a membership added since.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
export async function notGrantedColumn(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // May run again (a store rebuilt from its migration record): the column is added once.
  if (dialect === 'postgres') {
    await sql`alter table roster_accounts add column if not exists not_granted text`.execute(db);
    return;
  }
  const columns = await sql<{ name: string }>`select name from pragma_table_info('roster_accounts')`.execute(db);
  if (columns.rows.some((c) => c.name === 'not_granted')) return;
  await db.schema.alterTable('roster_accounts').addColumn('not_granted', 'text').execute();
}
