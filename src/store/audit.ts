import { CompiledQuery, type Selectable } from 'kysely';
import { UNREADABLE_AUDIT_ENTRY, canonicalEntryJson, canonicalOrUndefined, chainHash, unreadableEntryIn } from '../audit/chain.js';
import { AUDIT_HEAD_KEY, EMPTY_HEAD, asHead, type AuditHead } from '../audit/head.js';
import { describeMismatch, mismatchEntry, type FoundHead, type HeadMismatch } from '../audit/mismatch.js';
import { RosterError } from '../core/errors.js';
import { storableText } from '../core/text.js';
import type { AuditEntry, AuditEntryInput } from '../core/types.js';
import type { AuditStore } from './types.js';
import { bulkInsert, type BulkValue } from './bulk.js';
import { lockFor, toNumber, type Db, type StoreContext } from './context.js';
import { asStored, fromJson, fromOptionalJson, optional, present, toJson } from './json.js';
import type { AuditRow } from './schema.js';

const AUDIT_COLUMNS = [
  'seq', 'at', 'kind', 'actor', 'identity', 'target', 'reasons', 'before', 'after', 'data', 'prev_hash', 'hash',
] as const;
/** The JSON columns hold canonical JSON (JSON.stringify's escapes): see BulkInsert.json. */
const AUDIT_INSERT = { table: 'roster_audit', columns: AUDIT_COLUMNS, types: { seq: 'bigint' }, json: ['reasons', 'before', 'after', 'data'] } as const;

/**
 * One entry, serialised once: its JSON fields as canonical JSON, which is
 * both the text stored (any JSON text reads back to the same value) and the
 * text hashed, so appending never re-serialises or round-trips a value.
 * The entry returned carries the values as they read back.
 */
function chained(seq: number, at: string, input: AuditEntryInput, prevHash: string, returning: boolean): { readonly entry: AuditEntry | undefined; readonly hash: string; readonly row: BulkValue[] } {
  const reasons = input.reasons === null || input.reasons === undefined ? undefined : canonicalOrUndefined(input.reasons);
  const before = input.before === undefined ? undefined : canonicalOrUndefined(input.before);
  const after = input.after === undefined ? undefined : canonicalOrUndefined(input.after);
  const data = input.data === undefined ? undefined : canonicalOrUndefined(input.data);
  // Plain-text fields are hashed as the column stores them (NUL and lone surrogates as U+FFFD): hashing the text
  // as given would make verify call an untouched entry altered (SQLite) or fail the append (PostgreSQL).
  // JSON fields need nothing: their text escapes both.
  const kind = storableText(input.kind);
  const actor = storableText(input.actor);
  const identity = input.identity === undefined || input.identity === null ? undefined : storableText(input.identity);
  const target = input.target === undefined || input.target === null ? undefined : storableText(input.target);
  const hash = chainHash(prevHash, canonicalEntryJson({ seq, at, kind, actor, identity, target, reasons, before, after, data }));
  const row = [seq, at, kind, actor, identity ?? null, target ?? null, reasons ?? null, before ?? null, after ?? null, data ?? null, prevHash, hash];
  if (!returning) return { entry: undefined, hash, row };
  // Assigned in the order the keys always had (no spread of one small object per field: this runs once per entry).
  const entry: Record<string, unknown> = { seq, at, kind, actor };
  if (identity !== undefined) entry.identity = identity;
  if (target !== undefined) entry.target = target;
  if (reasons !== undefined) storedField(entry, 'reasons', asStored(input.reasons), false);
  if (before !== undefined) storedField(entry, 'before', asStored(input.before), true);
  if (after !== undefined) storedField(entry, 'after', asStored(input.after), true);
  if (data !== undefined) storedField(entry, 'data', asStored(input.data), true);
  entry.prevHash = prevHash;
  entry.hash = hash;
  return { entry: entry as unknown as AuditEntry, hash, row };
}

/** Sets `key` as optional() (keepNull false) or present() (keepNull true) would: an absent value adds no key. */
function storedField(entry: Record<string, unknown>, key: string, value: unknown, keepNull: boolean): void {
  if (value === undefined || (value === null && !keepNull)) return;
  entry[key] = value;
}

/** A JSON column of entry `seq`; text that is not JSON (edited by hand) is an error naming the entry, for verify to report. */
function jsonColumn(seq: number, column: string, text: string | null): unknown {
  try {
    return fromOptionalJson(text);
  } catch (error) {
    throw new RosterError('internal', `audit entry ${seq}: its ${column} column is not JSON (${(error as Error).message})`, {
      cause: error, details: { reason: UNREADABLE_AUDIT_ENTRY, auditSeq: seq, column },
    });
  }
}

export function auditFromRow(row: Selectable<AuditRow>): AuditEntry {
  const seq = toNumber(row.seq);
  return {
    seq,
    at: row.at,
    kind: row.kind,
    actor: row.actor,
    ...optional('identity', row.identity),
    ...optional('target', row.target),
    ...optional('reasons', jsonColumn(seq, 'reasons', row.reasons) as string[] | undefined),
    ...present('before', jsonColumn(seq, 'before', row.before)),
    ...present('after', jsonColumn(seq, 'after', row.after)),
    ...present('data', jsonColumn(seq, 'data', row.data)),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The last entry and the recorded head (see audit/head.ts), in one query:
 * the head as found (or that it is missing or malformed) and its raw text.
 */
async function chainEnds(ctx: StoreContext, trx: Db): Promise<{ readonly last: AuditHead; readonly head: FoundHead; readonly stored: string | null }> {
  const { rows } = await trx.executeQuery<ChainEndsRow>(CompiledQuery.raw(chainEndsText(ctx.dialect), [AUDIT_HEAD_KEY]));
  const row = rows[0] ?? { seq: null, hash: null, head: null }; // scalar subqueries: always one row
  const last = row.seq === null || row.hash === null ? EMPTY_HEAD : { seq: toNumber(row.seq), hash: row.hash };
  return { last, head: row.head === null ? 'missing' : parseStoredHead(row.head) ?? 'malformed', stored: row.head };
}

/** Raw text, not the query builder: it runs once per append, and compiling it cost more than running it. */
function chainEndsText(dialect: StoreContext['dialect']): string {
  return `select (select seq from roster_audit order by seq desc limit 1) as seq,
    (select hash from roster_audit order by seq desc limit 1) as hash,
    (select value from roster_state where key = ${dialect === 'postgres' ? '$1' : '?'}) as head`;
}

interface ChainEndsRow {
  readonly seq: number | string | null;
  readonly hash: string | null;
  readonly head: string | null;
}

function parseStoredHead(text: string): AuditHead | undefined {
  try {
    return asHead(fromJson(text));
  } catch {
    return undefined; // not JSON: as malformed as a wrong shape
  }
}

/** Told of every mismatch an append of this store recorded (see onHeadMismatch). */
export type HeadMismatchListener = (mismatch: HeadMismatch) => void;

const listeners = new WeakMap<StoreContext, Set<HeadMismatchListener>>();
const contexts = new WeakMap<AuditStore, StoreContext>();

/**
 * Calls `listener` whenever an append through this store (its AuditStore,
 * its queue's completions) records an `audit.head_mismatch` entry: the
 * engine logs a warning. Called inside the append's transaction, before
 * commit; a listener that throws is ignored. Returns the unsubscribe.
 */
export function onHeadMismatch(audit: AuditStore, listener: HeadMismatchListener): () => void {
  const ctx = contexts.get(audit);
  if (ctx === undefined) return () => undefined;
  const set = listeners.get(ctx) ?? new Set<HeadMismatchListener>();
  listeners.set(ctx, set);
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

function tell(ctx: StoreContext, mismatch: HeadMismatch): void {
  for (const listener of listeners.get(ctx) ?? []) {
    try {
      listener(mismatch);
    } catch {
      // a listener's failure must not fail the append
    }
  }
}

const HEAD_WRITE = { table: 'roster_state', columns: ['key', 'value'], key: ['key'], onConflict: 'update', json: ['value'] } as const;

/** An upsert through bulkInsert: on SQLite a cached prepared statement, the cheapest write there is. */
async function writeHead(ctx: StoreContext, trx: Db, head: AuditHead): Promise<void> {
  await bulkInsert(ctx, trx, HEAD_WRITE, [[AUDIT_HEAD_KEY, toJson(head)]]);
}

/**
 * Appends to the hash chain inside the caller's write transaction. The audit
 * lock (PostgreSQL advisory lock; SQLite's write lock) is held from reading
 * the chain's end to commit, so seq has no gaps and no forks. The chain head
 * is written once per call, in the same transaction, so a batch costs one
 * head write whatever its size. A head that does not match the log's last
 * entry is not silently overwritten: an `audit.head_mismatch` entry
 * recording it goes first (audit/mismatch.ts), and is not among the entries
 * returned. `returning: false` (the queue's completions, which never look
 * at them) builds no entries to return: the rows alone.
 */
export async function appendAudit(ctx: StoreContext, trx: Db, inputs: readonly AuditEntryInput[], returning = true): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  await lockFor(ctx, trx, 'audit');
  const { last, head, stored } = await chainEnds(ctx, trx);
  // The chain always continues from the log's last entry, so it stays whole; a head that disagrees is recorded first.
  const mismatch = mismatchEntry(last, head, stored);
  const { rows, entries, end } = chainedRows(last, mismatch, inputs, returning);
  await bulkInsert(ctx, trx, AUDIT_INSERT, rows);
  await writeHead(ctx, trx, end);
  if (mismatch !== undefined) tell(ctx, { seq: last.seq + 1, head, log: last, found: describeMismatch(head, last) });
  return entries;
}

/**
 * The rows (and entries) continuing the chain from `last`, the mismatch
 * entry first when there is one. Its own function, not a loop inside
 * appendAudit: V8 compiled the async function on the stack in the middle of
 * a big batch's loop, before the code after it had ever run, and every
 * later append then fell back out of that code at the insert that follows.
 */
function chainedRows(
  last: AuditHead, mismatch: AuditEntryInput | undefined, inputs: readonly AuditEntryInput[], returning: boolean,
): { readonly rows: BulkValue[][]; readonly entries: AuditEntry[]; readonly end: AuditHead } {
  let seq = last.seq;
  let prevHash = last.hash;
  const at = new Date().toISOString();
  const entries: AuditEntry[] = [];
  const rows: BulkValue[][] = [];
  if (mismatch !== undefined) {
    seq += 1;
    const { hash, row } = chained(seq, at, mismatch, prevHash, false);
    rows.push(row);
    prevHash = hash;
  }
  for (const input of inputs) {
    seq += 1;
    const { entry, hash, row } = chained(seq, at, input, prevHash, returning);
    if (entry !== undefined) entries.push(entry);
    rows.push(row);
    prevHash = hash;
  }
  return { rows, entries, end: { seq, hash: prevHash } };
}

/**
 * The query of AuditStore.list (exported for the index tests). Newest first
 * (`order: 'desc'`) with an identity or a kind walks the (identity, seq) or
 * (kind, seq) index backwards and stops at `limit`: no scan, no sort.
 */
export function auditListQuery(db: Db, options: Parameters<AuditStore['list']>[0] = {}) {
  let query = db.selectFrom('roster_audit').selectAll().orderBy('seq', options.order === 'desc' ? 'desc' : 'asc');
  if (options.afterSeq !== undefined) query = query.where('seq', '>', options.afterSeq);
  if (options.identity !== undefined) query = query.where('identity', '=', options.identity);
  if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
  if (options.limit !== undefined) query = query.limit(options.limit);
  return query;
}

export function createAuditStore(ctx: StoreContext): AuditStore {
  const { db } = ctx;
  const store: AuditStore = {
    append: (entries, options = {}) => (entries.length === 0 ? Promise.resolve([]) : ctx.write((trx) => appendAudit(ctx, trx, entries, options.returning !== false))),
    async list(options = {}) {
      const rows = await auditListQuery(db, options).execute();
      return rows.map(auditFromRow);
    },
    async listMarked(options = {}) {
      const rows = await auditListQuery(db, options).execute();
      return rows.map((row) => {
        try {
          return auditFromRow(row);
        } catch (error) {
          const marker = unreadableEntryIn(error);
          if (marker === undefined) throw error;
          return marker;
        }
      });
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
  contexts.set(store, ctx);
  return store;
}
