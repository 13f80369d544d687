import type { AccountPlacement, LinkedAccount } from '../core/types.js';
import type { AccountStore } from './types.js';
import { bulkInsert, type BulkInsert, type BulkValue } from './bulk.js';
import { inList, type Db, type StoreContext } from './context.js';
import { asStored, fromJson, optional, toJson } from './json.js';
import type { AccountRow } from './schema.js';
import { bumpSerial, readSerial } from './serial.js';
import { eachRawRow } from './sqlite-read.js';
import { trackedWrite, type WriteEffects } from './write-effects.js';

const ACCOUNT_COLUMNS = [
  'target', 'identity_id', 'account_id', 'attributes', 'entitlements', 'enabled', 'created_at', 'updated_at', 'disabled_at',
  'out_of_scope_since', 'not_granted', 'placement', 'credentials_set_at',
] as const;
const ACCOUNT_KEY = ['target', 'identity_id'] as const;
/** One object for every link write: bulkInsert builds its statement texts once per spec object. */
const ACCOUNT_INSERT = {
  table: 'roster_accounts', columns: ACCOUNT_COLUMNS, types: { enabled: 'integer' }, key: ACCOUNT_KEY, onConflict: 'update', json: ['attributes', 'entitlements', 'not_granted', 'placement'],
} as const satisfies BulkInsert;
/** Rows turned into values and written at a time. */
const WRITE_SLICE = 10_000;

function accountValues(account: LinkedAccount): BulkValue[] {
  return [
    account.target, account.identityId, account.accountId, toJson(account.attributes), toJson(account.entitlements),
    account.enabled ? 1 : 0, account.createdAt, account.updatedAt, account.disabledAt ?? null,
    account.outOfScopeSince ?? null, account.notGranted === undefined || account.notGranted.length === 0 ? null : toJson(account.notGranted),
    account.placement === undefined || account.placement === null ? null : toJson(account.placement),
    account.credentialsSetAt ?? null,
  ];
}

export function accountFromRow(row: AccountRow): LinkedAccount {
  return {
    target: row.target,
    identityId: row.identity_id,
    accountId: row.account_id,
    attributes: fromJson(row.attributes),
    entitlements: fromJson(row.entitlements),
    enabled: Number(row.enabled) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...optional('disabledAt', row.disabled_at),
    ...optional('outOfScopeSince', row.out_of_scope_since),
    ...(row.not_granted === null ? {} : { notGranted: fromJson<string[]>(row.not_granted) }),
    ...(row.placement === null || row.placement === undefined ? {} : { placement: fromJson<AccountPlacement>(row.placement) }),
    ...optional('credentialsSetAt', row.credentials_set_at),
  };
}

/** A row of ACCOUNT_COLUMNS as values (raw SQLite reads). */
export function accountFromValues(row: readonly unknown[]): LinkedAccount {
  const account: { -readonly [K in keyof LinkedAccount]: LinkedAccount[K] } = {
    target: row[0] as string,
    identityId: row[1] as string,
    accountId: row[2] as string,
    attributes: JSON.parse(row[3] as string) as LinkedAccount['attributes'],
    entitlements: JSON.parse(row[4] as string) as string[],
    enabled: Number(row[5]) === 1,
    createdAt: row[6] as string,
    updatedAt: row[7] as string,
  };
  if (row[8] !== null) account.disabledAt = row[8] as string;
  if (row[9] !== null && row[9] !== undefined) account.outOfScopeSince = row[9] as string;
  if (row[10] !== null && row[10] !== undefined) account.notGranted = JSON.parse(row[10] as string) as string[];
  if (row[11] !== null && row[11] !== undefined) account.placement = JSON.parse(row[11] as string) as AccountPlacement;
  if (row[12] !== null && row[12] !== undefined) account.credentialsSetAt = row[12] as string;
  return account;
}

/**
 * What a read of the row just written gives back: what the read cache keeps.
 * Plain-data JSON values are shared, not copied (the objects are immutable by contract).
 */
export function normaliseAccount(given: LinkedAccount): LinkedAccount {
  const account: { -readonly [K in keyof LinkedAccount]: LinkedAccount[K] } = {
    target: given.target,
    identityId: given.identityId,
    accountId: given.accountId,
    attributes: asStored(given.attributes),
    entitlements: asStored(given.entitlements),
    enabled: given.enabled ? true : false, // stored as 1 or 0
    createdAt: given.createdAt,
    updatedAt: given.updatedAt,
  };
  if (given.disabledAt !== undefined && given.disabledAt !== null) account.disabledAt = given.disabledAt;
  if (given.outOfScopeSince !== undefined && given.outOfScopeSince !== null) account.outOfScopeSince = given.outOfScopeSince;
  // Stored as NULL when empty: read back absent.
  if (given.notGranted !== undefined && given.notGranted !== null && given.notGranted.length > 0) account.notGranted = asStored(given.notGranted);
  if (given.placement !== undefined && given.placement !== null) account.placement = asStored(given.placement);
  if (given.credentialsSetAt !== undefined && given.credentialsSetAt !== null) account.credentialsSetAt = given.credentialsSetAt;
  return account;
}

const LIST_ALL_SQL = `select ${ACCOUNT_COLUMNS.join(', ')} from roster_accounts order by target, identity_id`;
const LIST_BY_TARGET_SQL = `select ${ACCOUNT_COLUMNS.join(', ')} from roster_accounts where target = ? order by identity_id`;

/** Link writes shared with queue.complete: call inside a write transaction. */
export async function writeAccounts(ctx: StoreContext, trx: Db, effects: WriteEffects, accounts: readonly LinkedAccount[]): Promise<void> {
  if (accounts.length === 0) return;
  // One statement may not touch a row twice (PostgreSQL refuses): the last one given wins.
  const latest = new Map(accounts.map((a) => [`${a.target}\u0000${a.identityId}`, a]));
  // The serial row first: every identity/account writer takes the same lock first, so they cannot deadlock.
  await bumpSerial(trx, effects);
  effects.upsertedLinks(latest.values(), normaliseAccount);
  // Row values slice by slice: the JSON of every link is never held at once.
  let slice: BulkValue[][] = [];
  for (const account of latest.values()) {
    slice.push(accountValues(account));
    if (slice.length === WRITE_SLICE) {
      await bulkInsert(ctx, trx, ACCOUNT_INSERT, slice);
      slice = [];
    }
  }
  await bulkInsert(ctx, trx, ACCOUNT_INSERT, slice);
}

/** Removes a link; bumps the serial (even when there was none to remove: the serial may move more often, never less). */
export async function removeAccount(trx: Db, effects: WriteEffects, target: string, identityId: string): Promise<void> {
  await bumpSerial(trx, effects);
  effects.removedLink({ target, identityId });
  await trx.deleteFrom('roster_accounts').where('target', '=', target).where('identity_id', '=', identityId).execute();
}

export function createAccountStore(ctx: StoreContext): AccountStore {
  const { db } = ctx;
  const byKey = db.selectFrom('roster_accounts').selectAll();
  return {
    async get(target, identityId) {
      const row = await byKey.where('target', '=', target).where('identity_id', '=', identityId).executeTakeFirst();
      return row === undefined ? undefined : accountFromRow(row);
    },
    async getMany(refs) {
      const byTarget = new Map<string, string[]>();
      for (const ref of refs) {
        // Pushed, not spread into a new list per ref: a claim's thousand refs of one target copied half a million ids.
        const ids = byTarget.get(ref.target);
        if (ids === undefined) byTarget.set(ref.target, [ref.identityId]);
        else ids.push(ref.identityId);
      }
      const found: LinkedAccount[] = [];
      for (const [target, identityIds] of byTarget) {
        const rows = await byKey.where('target', '=', target).where(inList(ctx, 'identity_id', [...new Set(identityIds)])).execute();
        for (const row of rows) found.push(accountFromRow(row));
      }
      return found;
    },
    async listByTarget(target) {
      if (ctx.sqlite !== undefined) {
        // Raw rows, as listAll: a reconcile pass reads every link of its target (50,000: about a quarter less CPU than the query builder's rows).
        const found: LinkedAccount[] = [];
        await eachRawRow(ctx, ctx.sqlite, LIST_BY_TARGET_SQL, [target], (row) => found.push(accountFromValues(row)));
        return found;
      }
      const rows = await byKey.where('target', '=', target).orderBy('identity_id').execute();
      return rows.map(accountFromRow);
    },
    async listGraceCandidates(target) {
      const rows = await byKey.where('target', '=', target)
        .where((eb) => eb.or([eb('enabled', '=', 0), eb('disabled_at', 'is not', null), eb('out_of_scope_since', 'is not', null)]))
        .orderBy('identity_id').execute();
      return rows.map(accountFromRow);
    },
    async count(target) {
      const row = await db.selectFrom('roster_accounts').select((eb) => eb.fn.countAll().as('n')).where('target', '=', target).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async getByAccountId(target, accountId) {
      const row = await byKey.where('target', '=', target).where('account_id', '=', accountId).executeTakeFirst();
      return row === undefined ? undefined : accountFromRow(row);
    },
    async listByAccountIds(target, accountIds) {
      if (accountIds.length === 0) return [];
      const rows = await byKey.where('target', '=', target).where(inList(ctx, 'account_id', [...new Set(accountIds)])).execute();
      return rows.map(accountFromRow);
    },
    async listByIdentity(identityId) {
      const rows = await byKey.where('identity_id', '=', identityId).orderBy('target').execute();
      return rows.map(accountFromRow);
    },
    async listAll() {
      // From the read cache when the serial has not moved since it was filled (see read-cache.ts).
      const serial = await readSerial(db);
      const cached = ctx.cache.accounts(serial);
      if (cached !== undefined) return cached;
      const loaded = await loadAll();
      // Kept only when no identity/account write committed while the rows were read.
      if ((await readSerial(db)) === serial) ctx.cache.keepAccounts(serial, loaded);
      return loaded;
    },
    upsert: (account) => trackedWrite(ctx, (trx, effects) => writeAccounts(ctx, trx, effects, [account])),
    upsertMany: (accounts) => (accounts.length === 0
      ? Promise.resolve()
      : trackedWrite(ctx, (trx, effects) => writeAccounts(ctx, trx, effects, accounts))),
    remove: (target, identityId) => trackedWrite(ctx, (trx, effects) => removeAccount(trx, effects, target, identityId)),
  };

  async function loadAll(): Promise<LinkedAccount[]> {
    if (ctx.sqlite !== undefined) {
      const found: LinkedAccount[] = [];
      await eachRawRow(ctx, ctx.sqlite, LIST_ALL_SQL, [], (row) => found.push(accountFromValues(row)));
      return found;
    }
    const rows = await byKey.orderBy('target').orderBy('identity_id').execute();
    return rows.map(accountFromRow);
  }
}
