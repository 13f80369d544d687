import type { Selectable } from 'kysely';
import { GENESIS_HASH, canonicalEntryJson, canonicalOrUndefined, chainHash } from '../audit/chain.js';
import type { AuditEntry, AuditEntryInput } from '../core/types.js';
import type { AuditStore } from './types.js';
import { bulkInsert, type BulkValue } from './bulk.js';
import { lockFor, toNumber, type Db, type StoreContext } from './context.js';
import { asStored, fromOptionalJson, optional, present } from './json.js';
import type { AuditRow } from './schema.js';

const AUDIT_COLUMNS = [
  'seq', 'at', 'kind', 'actor', 'identity', 'target', 'reasons', 'before', 'after', 'data', 'prev_hash', 'hash',
] as const;

/**
 * One entry, serialised once: its JSON fields as canonical JSON, which is
 * both the text stored (any JSON text reads back to the same value) and the
 * text hashed, so appending never re-serialises or round-trips a value.
 * The entry returned carries the values as they read back.
 */
function chained(seq: number, at: string, input: AuditEntryInput, prevHash: string): { readonly entry: AuditEntry; readonly row: BulkValue[] } {
  const reasons = input.reasons === null || input.reasons === undefined ? undefined : canonicalOrUndefined(input.reasons);
  const before = input.before === undefined ? undefined : canonicalOrUndefined(input.before);
  const after = input.after === undefined ? undefined : canonicalOrUndefined(input.after);
  const data = input.data === undefined ? undefined : canonicalOrUndefined(input.data);
  const identity = input.identity ?? undefined;
  const target = input.target ?? undefined;
  const hash = chainHash(prevHash, canonicalEntryJson({ seq, at, kind: input.kind, actor: input.actor, identity, target, reasons, before, after, data }));
  const entry: AuditEntry = {
    seq,
    at,
    kind: input.kind,
    actor: input.actor,
    ...optional('identity', identity),
    ...optional('target', target),
    ...optional('reasons', reasons === undefined ? undefined : asStored(input.reasons)),
    ...present('before', before === undefined ? undefined : asStored(input.before)),
    ...present('after', after === undefined ? undefined : asStored(input.after)),
    ...present('data', data === undefined ? undefined : asStored(input.data)),
    prevHash,
    hash,
  };
  const row = [seq, at, input.kind, input.actor, identity ?? null, target ?? null, reasons ?? null, before ?? null, after ?? null, data ?? null, prevHash, hash];
  return { entry, row };
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
  const rows: BulkValue[][] = [];
  for (const input of inputs) {
    seq += 1;
    const { entry, row } = chained(seq, at, input, prevHash);
    entries.push(entry);
    rows.push(row);
    prevHash = entry.hash;
  }
  await bulkInsert(ctx, trx, { table: 'roster_audit', columns: AUDIT_COLUMNS, types: { seq: 'bigint' } }, rows);
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
