import type { Kysely } from 'kysely';
import { addTextColumnOnce } from './add-column.js';
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
  await addTextColumnOnce(db, dialect, 'roster_accounts', 'not_granted');
}
