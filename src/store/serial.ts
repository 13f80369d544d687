import { sql } from 'kysely';
import { toNumber, type Db } from './context.js';
import type { WriteEffects } from './write-effects.js';

/**
 * Bumps the store serial; call it inside the transaction that writes
 * identities or accounts, and record the new value in that write's effects
 * (the read cache needs it). The update is atomic under the writers' lock
 * (the serial row itself), so the value before was exactly the new one − 1.
 */
export async function bumpSerial(trx: Db, effects: WriteEffects): Promise<number> {
  const row = await trx.updateTable('roster_counters')
    .set({ value: sql`value + 1` })
    .where('name', '=', 'serial')
    .returning('value')
    .executeTakeFirstOrThrow();
  const serial = toNumber(row.value);
  effects.bumped(serial);
  return serial;
}

export async function readSerial(db: Db): Promise<number> {
  const row = await db.selectFrom('roster_counters').select('value').where('name', '=', 'serial').executeTakeFirst();
  return toNumber(row?.value);
}
