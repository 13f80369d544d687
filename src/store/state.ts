import type { StateStore } from './types.js';
import { lockFor, writeOne, type StoreContext } from './context.js';
import { fromJson, toJson } from './json.js';
import { readSerial } from './serial.js';

/** Small JSON values by key; setting undefined removes the key. */
export function createStateStore(ctx: StoreContext): StateStore {
  const { db } = ctx;
  return {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      const row = await db.selectFrom('roster_state').select('value').where('key', '=', key).executeTakeFirst();
      return row === undefined ? undefined : fromJson<T>(row.value);
    },
    async set(key, value) {
      if (value === undefined) {
        await writeOne(ctx, (trx) => trx.deleteFrom('roster_state').where('key', '=', key).execute());
        return;
      }
      const text = toJson(value);
      await writeOne(ctx, (trx) => trx.insertInto('roster_state').values({ key, value: text })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: text }))
        .execute());
    },
    async setIfAbsent<T>(key: string, value: T): Promise<T> {
      await writeOne(ctx, (trx) => trx.insertInto('roster_state').values({ key, value: toJson(value) }).onConflict((oc) => oc.column('key').doNothing()).execute());
      const row = await db.selectFrom('roster_state').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return fromJson<T>(row.value);
    },
    update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
      // One write transaction: SQLite's is exclusive; on PostgreSQL the key's advisory lock orders the writers
      // (a row lock alone would not: the first writer of a missing key has no row to lock).
      return ctx.write(async (trx) => {
        await lockFor(ctx, trx, `state:${key}`);
        const row = await trx.selectFrom('roster_state').select('value').where('key', '=', key).executeTakeFirst();
        const next = change(row === undefined ? undefined : fromJson<T>(row.value));
        if (next === undefined) {
          await trx.deleteFrom('roster_state').where('key', '=', key).execute();
          return undefined;
        }
        const text = toJson(next);
        await trx.insertInto('roster_state').values({ key, value: text }).onConflict((oc) => oc.column('key').doUpdateSet({ value: text })).execute();
        return next;
      });
    },
    serial: () => readSerial(db),
  };
}
