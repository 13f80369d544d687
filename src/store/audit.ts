import type { Selectable } from 'kysely';
import { GENESIS_HASH, auditHash, type HashedAuditEntry } from '../audit/chain.js';
import type { AuditEntry, AuditEntryInput } from '../core/types.js';
import type { AuditStore } from './types.js';
import { bulkInsert, type BulkValue } from './bulk.js';
import { lockFor, toNumber, type Db, type StoreContext } from './context.js';
import { fromOptionalJson, optional, present, toOptionalJson } from './json.js';
import type { AuditRow } from './schema.js';

const AUDIT_COLUMNS = [
  'seq', 'at', 'kind', 'actor', 'identity', 'target', 'reasons', 'before', 'after', 'data', 'prev_hash', 'hash',
] as const;

/** Through JSON once, so the entry hashed is exactly the entry read back later. */
function normalised(value: unknown): unknown {
  const text = toOptionalJson(value);
  return text === null ? undefined : (JSON.parse(text) as unknown);
}

function hashedEntry(seq: number, at: string, input: AuditEntryInput): HashedAuditEntry {
  const reasons = normalised(input.reasons) as string[] | undefined;
  return {
    seq,
    at,
    kind: input.kind,
    actor: input.actor,
    ...optional('identity', input.identity),
    ...optional('target', input.target),
    ...optional('reasons', reasons),
    ...present('before', normalised(input.before)),
    ...present('after', normalised(input.after)),
    ...present('data', normalised(input.data)),
  };
}

function auditValues(entry: AuditEntry): BulkValue[] {
  return [
    entry.seq, entry.at, entry.kind, entry.actor, entry.identity ?? null, entry.target ?? null,
    toOptionalJson(entry.reasons), toOptionalJson(entry.before), toOptionalJson(entry.after), toOptionalJson(entry.data),
    entry.prevHash, entry.hash,
  ];
}

export function auditFromRow(row: Selectable<AuditRow>): AuditEntry {
  return {
    seq: toNumber(row.seq),
    at: row.at,
    kind: row.kind,
    actor: row.actor,
    ...optional('identity', row.identity),
    ...optional('target', row.target),
    ...optional('reasons', fromOptionalJson(row.reasons) as string[] | undefined),
    ...present('before', fromOptionalJson(row.before)),
    ...present('after', fromOptionalJson(row.after)),
    ...present('data', fromOptionalJson(row.data)),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Appends to the hash chain inside the caller's write transaction. The audit
 * lock (PostgreSQL advisory lock; SQLite's write lock) is held from reading
 * the chain's head to commit, so seq has no gaps and no forks.
 */
export async function appendAudit(ctx: StoreContext, trx: Db, inputs: readonly AuditEntryInput[]): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  await lockFor(ctx, trx, 'audit');
  const head = await trx.selectFrom('roster_audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  let seq = toNumber(head?.seq);
  let prevHash = head?.hash ?? GENESIS_HASH;
  const at = new Date().toISOString();
  const entries: AuditEntry[] = [];
  for (const input of inputs) {
    seq += 1;
    const entry = hashedEntry(seq, at, input);
    const hash = auditHash(prevHash, entry);
    entries.push({ ...entry, prevHash, hash });
    prevHash = hash;
  }
  await bulkInsert(ctx, trx, { table: 'roster_audit', columns: AUDIT_COLUMNS, types: { seq: 'bigint' } }, entries.map(auditValues));
  return entries;
}

export function createAuditStore(ctx: StoreContext): AuditStore {
  const { db } = ctx;
  const store: AuditStore = {
    append: (entries) => (entries.length === 0 ? Promise.resolve([]) : ctx.write((trx) => appendAudit(ctx, trx, entries))),
    async list(options = {}) {
      let query = db.selectFrom('roster_audit').selectAll().orderBy('seq');
      if (options.afterSeq !== undefined) query = query.where('seq', '>', options.afterSeq);
      if (options.identity !== undefined) query = query.where('identity', '=', options.identity);
      if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
      if (options.limit !== undefined) query = query.limit(options.limit);
      const rows = await query.execute();
      return rows.map(auditFromRow);
    },
    async *iterate(batchSize = 1000) {
      let afterSeq = 0;
      for (;;) {
        const batch = await store.list({ afterSeq, limit: batchSize });
        yield* batch;
        const last = batch.at(-1);
        if (last === undefined || batch.length < batchSize) return;
        afterSeq = last.seq;
      }
    },
  };
  return store;
}
