import { sql, type Kysely, type RawBuilder } from 'kysely';
import { addTextColumnOnce } from './add-column.js';
import type { Dialect } from './context.js';

/**
 * 0018_identity_rehired_at: when the current employment was recorded as a
 * new one (Identity.rehiredAt), so the policy tells a rehire from a return by
 * the employment rather than by the disable's date alone. Identities stored
 * before it get it from their event history: their latest `rehire` event,
 * unless HR took a termination back after it (a `leaver.reverted` mover: the
 * employment before that termination goes on).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
export async function rehiredAtColumn(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await addTextColumnOnce(db, dialect, 'roster_identities', 'rehired_at');
  for (const statement of rehiredAtBackfill(dialect)) await statement.execute(db);
}

/**
 * The two statements that fill rehired_at (exported for a test to read their
 * query plans). roster_events.identity_id is plain text, roster_identities.id
 * `text collate "C"` in PostgreSQL. Compared in the events' collation, the one
 * of their index (roster_events_identity): in "C" no index serves the lookup,
 * and each identity read every event (9 s at 8,000 identities, growing with
 * their square). Equality is the same in both (deterministic collations).
 */
export function rehiredAtBackfill(dialect: Dialect): readonly RawBuilder<unknown>[] {
  const id = dialect === 'postgres' ? sql`roster_identities.id collate "default"` : sql`roster_identities.id`;
  return [
    sql`update roster_identities set rehired_at = (
      select max(e.recorded_at) from roster_events e where e.identity_id = ${id} and e.kind = 'rehire')
    where rehired_at is null and ${id} in (select identity_id from roster_events where kind = 'rehire')`,
    sql`update roster_identities set rehired_at = null
    where rehired_at is not null and exists (
      select 1 from roster_events e where e.identity_id = ${id} and e.kind = 'mover'
        and e.reasons like '%"leaver.reverted"%' and e.recorded_at > roster_identities.rehired_at)`,
  ];
}
