import type { Selectable } from 'kysely';
import { RosterError } from '../core/errors.js';
import type { Identity, IdentityKey, LifecycleEvent, LifecycleState } from '../core/types.js';
import type { IdentityStore } from './types.js';
import { bulkInsert, type BulkInsert, type BulkValue } from './bulk.js';
import { toNumber, type StoreContext } from './context.js';
import { asStored, fromJson, optional, toJson } from './json.js';
import type { EventRow, IdentityKeyRow, IdentityRow } from './schema.js';
import { listIdsDatedIn } from './identity-dates.js';
import { listReports } from './identity-reports.js';
import { bumpSerial, readSerial } from './serial.js';
import { eachRawRow } from './sqlite-read.js';
import { trackedWrite } from './write-effects.js';

const IDENTITY_COLUMNS = [
  'id', 'source_id', 'attributes', 'state', 'start_at', 'end_at', 'missing_since', 'version', 'created_at', 'updated_at', 'source_entry', 'rehired_at',
] as const;

const EVENT_COLUMNS = ['identity_id', 'kind', 'effective_at', 'recorded_at', 'changes', 'reasons'] as const;

/** Module constants: bulkInsert builds a spec's statement texts once; `json`: columns of toJson's text, not scanned (BulkInsert.json). */
const IDENTITY_INSERT = {
  table: 'roster_identities', columns: IDENTITY_COLUMNS, types: { version: 'integer' }, key: ['id'], onConflict: 'update', json: ['attributes'],
} as const satisfies BulkInsert;
const EVENT_INSERT = { table: 'roster_events', columns: EVENT_COLUMNS, json: ['changes', 'reasons'] } as const satisfies BulkInsert;

const KEY_SPEC = {
  table: 'roster_identity_keys', columns: ['key', 'identity_id', 'source_id', 'current', 'recorded_at'],
  types: { current: 'integer' }, key: ['key'], onConflict: 'update',
} as const;

/**
 * Key rows a continuation writes (lifecycle/continued.ts) that would undo what
 * another writer stored since the ingest read the keys (two nodes continuing
 * one person under two new keys, or two people under one): a key already
 * naming another identity, or an identity whose current key this write does
 * not name. Refused (retryable): read again, the continuation is judged on
 * what is stored, and an ambiguous one is refused with its line.
 */
async function refuseKeyConflicts(trx: Parameters<Parameters<typeof trackedWrite>[1]>[0], keys: readonly IdentityKey[]): Promise<void> {
  const written = new Map(keys.map((k) => [k.key, k]));
  const identityIds = [...new Set(keys.filter((k) => k.current).map((k) => k.identityId))];
  const stored: IdentityKeyRow[] = [];
  for (let i = 0; i < keys.length; i += IN_CHUNK) {
    stored.push(...await trx.selectFrom('roster_identity_keys').selectAll().where('key', 'in', keys.slice(i, i + IN_CHUNK).map((k) => k.key)).execute());
  }
  for (let i = 0; i < identityIds.length; i += IN_CHUNK) {
    stored.push(...await trx.selectFrom('roster_identity_keys').selectAll()
      .where('identity_id', 'in', identityIds.slice(i, i + IN_CHUNK)).where('current', '=', 1).execute());
  }
  for (const row of stored) {
    const mine = written.get(row.key);
    const why = mine !== undefined && mine.identityId !== row.identity_id ? `names identity ${row.identity_id} already`
      : mine === undefined ? `is the current key of identity ${row.identity_id}, continued meanwhile` : undefined;
    if (why === undefined) continue;
    throw new RosterError('store.conflict', `identity key ${row.key} ${why} (another writer stored it since this read): `
      + 'nothing was written; read the source again', { retryable: true });
  }
}

function keyFromRow(row: IdentityKeyRow): IdentityKey {
  return { key: row.key, identityId: row.identity_id, sourceId: row.source_id, current: Number(row.current) === 1, recordedAt: row.recorded_at };
}

function identityValues(identity: Identity): BulkValue[] {
  return [
    identity.id, identity.sourceId, toJson(identity.attributes), identity.state,
    identity.startAt ?? null, identity.endAt ?? null, identity.missingSince ?? null,
    identity.version, identity.createdAt, identity.updatedAt, identity.sourceEntry ?? null, identity.rehiredAt ?? null,
  ];
}

export function identityFromRow(row: IdentityRow): Identity {
  return {
    id: row.id,
    sourceId: row.source_id,
    attributes: fromJson(row.attributes),
    state: row.state as LifecycleState,
    ...optional('startAt', row.start_at),
    ...optional('endAt', row.end_at),
    ...optional('missingSince', row.missing_since),
    version: toNumber(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...optional('sourceEntry', row.source_entry),
    ...optional('rehiredAt', row.rehired_at),
  };
}

/** A row of IDENTITY_COLUMNS as values (raw SQLite reads): one object per identity, nothing in between. */
export function identityFromValues(row: readonly unknown[]): Identity {
  const identity: { -readonly [K in keyof Identity]: Identity[K] } = {
    id: row[0] as string,
    sourceId: row[1] as string,
    attributes: JSON.parse(row[2] as string) as Identity['attributes'],
    state: row[3] as LifecycleState,
    version: Number(row[7]),
    createdAt: row[8] as string,
    updatedAt: row[9] as string,
  };
  if (row[4] !== null) identity.startAt = row[4] as string;
  if (row[5] !== null) identity.endAt = row[5] as string;
  if (row[6] !== null) identity.missingSince = row[6] as string;
  if (row[10] !== null && row[10] !== undefined) identity.sourceEntry = row[10] as string;
  if (row[11] !== null && row[11] !== undefined) identity.rehiredAt = row[11] as string;
  return identity;
}

/**
 * What a read of the row just written gives back: what the read cache keeps.
 * Plain-data JSON values are shared, not copied (the objects are immutable by contract).
 */
export function normaliseIdentity(given: Identity): Identity {
  const identity: { -readonly [K in keyof Identity]: Identity[K] } = {
    id: given.id,
    sourceId: given.sourceId,
    attributes: asStored(given.attributes),
    state: given.state,
    version: Number(given.version),
    createdAt: given.createdAt,
    updatedAt: given.updatedAt,
  };
  if (given.startAt !== undefined && given.startAt !== null) identity.startAt = given.startAt;
  if (given.endAt !== undefined && given.endAt !== null) identity.endAt = given.endAt;
  if (given.missingSince !== undefined && given.missingSince !== null) identity.missingSince = given.missingSince;
  if (given.sourceEntry !== undefined && given.sourceEntry !== null) identity.sourceEntry = given.sourceEntry;
  if (given.rehiredAt !== undefined && given.rehiredAt !== null) identity.rehiredAt = given.rehiredAt;
  return identity;
}

const LIST_SQL = `select ${IDENTITY_COLUMNS.join(', ')} from roster_identities`;

function eventFromRow(row: Selectable<EventRow>): LifecycleEvent {
  return {
    kind: row.kind as LifecycleEvent['kind'],
    identityId: row.identity_id,
    effectiveAt: row.effective_at,
    recordedAt: row.recorded_at,
    ...optional('changes', row.changes === null ? null : fromJson<NonNullable<LifecycleEvent['changes']>>(row.changes)),
    reasons: fromJson(row.reasons),
  };
}

/** Parameters per `in (...)` list, well under both dialects' limits. */
const IN_CHUNK = 10_000;
/** Rows turned into values and written at a time. */
const WRITE_SLICE = 10_000;

type ListOptions = NonNullable<Parameters<IdentityStore['list']>[0]>;

export function createIdentityStore(ctx: StoreContext): IdentityStore {
  const { db } = ctx;
  return {
    async get(id) {
      const row = await db.selectFrom('roster_identities').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : identityFromRow(row);
    },
    async getMany(ids) {
      const found: Identity[] = [];
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += IN_CHUNK) {
        const rows = await db.selectFrom('roster_identities').selectAll()
          .where('id', 'in', unique.slice(i, i + IN_CHUNK)).orderBy('id').execute();
        for (const row of rows) found.push(identityFromRow(row));
      }
      return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async list(options = {}) {
      if (options.limit === undefined && options.offset === undefined) {
        if (options.sourceId === undefined) return listAll();
        return listSource(options.sourceId);
      }
      return listRows(options);
    },
    async count() {
      const row = await db.selectFrom('roster_identities').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      return toNumber(row?.n as number | string | undefined);
    },
    listIdsDatedIn(spans) {
      return listIdsDatedIn(db, ctx.dialect, spans);
    },
    async listIds({ sourceId }) {
      const rows = await db.selectFrom('roster_identities').select('id').where('source_id', '=', sourceId).orderBy('id').execute();
      return rows.map((row) => row.id);
    },
    async listByEntries({ sourceId, entries }) {
      const found: Identity[] = [];
      const unique = [...new Set(entries)];
      for (let i = 0; i < unique.length; i += IN_CHUNK) {
        const rows = await db.selectFrom('roster_identities').selectAll()
          .where('source_id', '=', sourceId).where('source_entry', 'in', unique.slice(i, i + IN_CHUNK)).execute();
        for (const row of rows) found.push(identityFromRow(row));
      }
      return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async listKeys(options) {
      const query = db.selectFrom('roster_identity_keys').selectAll();
      if ('sourceId' in options) return (await query.where('source_id', '=', options.sourceId).orderBy('key').execute()).map(keyFromRow);
      const [column, values] = 'keys' in options ? ['key', options.keys] as const : ['identity_id', options.identityIds] as const;
      const unique = [...new Set(values)];
      const found: IdentityKey[] = [];
      for (let i = 0; i < unique.length; i += IN_CHUNK) {
        for (const row of await query.where(column, 'in', unique.slice(i, i + IN_CHUNK)).execute()) found.push(keyFromRow(row));
      }
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async upsertMany(identities, keys = []) {
      if (identities.length === 0 && keys.length === 0) return;
      // One statement may not touch a row twice (PostgreSQL refuses): the last one given wins.
      const latest = new Map<string, Identity>();
      for (const identity of identities) latest.set(identity.id, identity);
      await trackedWrite(ctx, async (trx, effects) => {
        await bumpSerial(trx, effects); // first: the serial row is the lock every identity/account writer takes first
        effects.upsertedIdentities(latest.values(), normaliseIdentity);
        const spec = IDENTITY_INSERT;
        // Row values slice by slice: the JSON of every identity is never held at once.
        let slice: BulkValue[][] = [];
        for (const identity of latest.values()) {
          slice.push(identityValues(identity));
          if (slice.length === WRITE_SLICE) {
            await bulkInsert(ctx, trx, spec, slice);
            slice = [];
          }
        }
        await bulkInsert(ctx, trx, spec, slice);
        if (keys.length > 0) await refuseKeyConflicts(trx, keys); // under the serial lock: no other writer is between the check and the write
        await bulkInsert(ctx, trx, KEY_SPEC, keys.map((k) => [k.key, k.identityId, k.sourceId, k.current ? 1 : 0, k.recordedAt]));
      });
    },
    listReports(query) {
      return listReports(ctx, query);
    },
    async appendEvents(events) {
      if (events.length === 0) return;
      const rows = events.map((e): BulkValue[] => [
        e.identityId, e.kind, e.effectiveAt, e.recordedAt, e.changes === undefined ? null : toJson(e.changes), toJson(e.reasons),
      ]);
      await ctx.write((trx) => bulkInsert(ctx, trx, EVENT_INSERT, rows));
    },
    async events(identityId) {
      const rows = await db.selectFrom('roster_events').selectAll().where('identity_id', '=', identityId).orderBy('n').execute();
      return rows.map(eventFromRow);
    },
  };

  /** Everyone, from the read cache when the serial has not moved since it was filled (see read-cache.ts). */
  async function listAll(): Promise<Identity[]> {
    const serial = await readSerial(db);
    const cached = ctx.cache.identities(serial);
    if (cached !== undefined) return cached;
    const loaded = await listRows({});
    // Kept only when no identity/account write committed while the rows were read.
    if ((await readSerial(db)) === serial) ctx.cache.keepIdentities(serial, loaded);
    return loaded;
  }

  /**
   * One source's identities, read from the database. When they are everyone
   * (one source, the usual case) and the cache holds nobody, they also fill
   * the read cache: an ingest reads its source first, so its own upserts
   * then bring the entry forward and the plan after it reads nobody again.
   */
  async function listSource(sourceId: string): Promise<Identity[]> {
    const serial = await readSerial(db);
    const loaded = await listRows({ sourceId });
    if (ctx.cache.holdsIdentities(serial)) return loaded;
    const everyone = await db.selectFrom('roster_identities').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    // Same check as listAll: kept only when no identity/account write committed while the rows were read.
    if (toNumber(everyone?.n as number | string | undefined) === loaded.length && (await readSerial(db)) === serial) {
      ctx.cache.keepIdentities(serial, loaded);
    }
    return loaded;
  }

  async function listRows(options: ListOptions): Promise<Identity[]> {
    if (ctx.sqlite !== undefined) {
      const found: Identity[] = [];
      const where = options.sourceId === undefined ? '' : ' where source_id = ?';
      const parameters: unknown[] = options.sourceId === undefined ? [] : [options.sourceId];
      const page = options.limit === undefined && options.offset === undefined ? '' : ' limit ? offset ?';
      if (page !== '') parameters.push(options.limit ?? -1, options.offset ?? 0);
      await eachRawRow(ctx, ctx.sqlite, `${LIST_SQL}${where} order by id${page}`, parameters, (row) => found.push(identityFromValues(row)));
      return found;
    }
    let query = db.selectFrom('roster_identities').selectAll().orderBy('id');
    if (options.sourceId !== undefined) query = query.where('source_id', '=', options.sourceId);
    if (options.limit !== undefined) query = query.limit(options.limit);
    if (options.offset !== undefined) {
      // SQLite needs a LIMIT before an OFFSET; -1 means no limit there.
      if (options.limit === undefined && ctx.dialect === 'sqlite') query = query.limit(-1);
      query = query.offset(options.offset);
    }
    const rows = await query.execute();
    return rows.map(identityFromRow);
  }
}
