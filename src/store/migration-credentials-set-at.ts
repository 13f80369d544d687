import { sql, type Kysely } from 'kysely';
import { addTextColumnOnce } from './add-column.js';
import type { Dialect } from './context.js';

/**
 * 0019_account_credentials_set_at: when Roster last set a linked account's
 * credentials (LinkedAccount.credentialsSetAt); a rehire recorded after it
 * (Identity.rehiredAt) makes the next plan set new ones
 * (policy/rehire-credentials.ts). Links stored before it get the upgrade's
 * time, so an upgrade resets nobody's password: a rehire whose enable wrote
 * one already (or that a `passwordOnEnable: keep` target left alone) was
 * served before it; a rehire recorded before the upgrade whose account is
 * still disabled gets its password from its enable, as before. Only a
 * rehire recorded from then on, on an account in use, is reset. The time is
 * the application's clock, as every other timestamp in the store.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
export async function credentialsSetAtColumn(db: Kysely<any>, dialect: Dialect, now: Date = new Date()): Promise<void> {
  await addTextColumnOnce(db, dialect, 'roster_accounts', 'credentials_set_at');
  await sql`update roster_accounts set credentials_set_at = ${now.toISOString()} where credentials_set_at is null`.execute(db);
}
