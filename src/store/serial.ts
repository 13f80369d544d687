import { sql } from 'kysely';
import { toNumber, type Db } from './context.js';

/** Bumps the store serial; call it inside the transaction that writes identities or accounts. */
export async function bumpSerial(trx: Db): Promise<void> {
  await trx.updateTable('roster_counters')
    .set({ value: sql`value + 1` })
    .where('name', '=', 'serial')
    .execute();
}

export async function readSerial(db: Db): Promise<number> {
  const row = await db.selectFrom('roster_counters').select('value').where('name', '=', 'serial').executeTakeFirst();
  return toNumber(row?.value);
}
