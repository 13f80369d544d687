import { isRosterError } from '../core/errors.js';
import type { AuditEntry } from '../core/types.js';
import type { Store } from '../store/types.js';
import { GENESIS_HASH, UNREADABLE_AUDIT_ENTRY, auditHash } from './chain.js';
import { EMPTY_HEAD, asHead, storedHead, type AuditHead } from './head.js';
import { MismatchLedger, type RecordedMismatch } from './mismatch.js';
import { checkRecordedHead, checkStoredHead, type ChainBreak } from './tail.js';

/**
 * `head` is there when the chain is intact, `firstBad` when it is not.
 * `mismatches` (only when some were recorded, accepted or not) lists the
 * `audit.head_mismatch` entries walked: an intact chain with one not yet
 * accepted is not ok, because an auditor must see it.
 */
export type VerifyResult =
  | { readonly ok: boolean; readonly entries: number; readonly head: AuditHead; readonly mismatches?: readonly RecordedMismatch[] }
  | { readonly ok: false; readonly entries: number; readonly firstBad: ChainBreak; readonly mismatches?: readonly RecordedMismatch[] };

/** The entry as it was hashed: everything but the two hashes. */
function hashedPart(entry: AuditEntry): Omit<AuditEntry, 'hash' | 'prevHash'> {
  const { hash: _hash, prevHash: _prevHash, ...rest } = entry;
  return rest;
}

/** Why this entry breaks the chain after `previous`, or undefined when it holds. */
export function checkLink(entry: AuditEntry, previous: AuditEntry | undefined): string | undefined {
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (entry.seq < expectedSeq) return `seq ${entry.seq} is out of order (expected ${expectedSeq})`;
  if (entry.seq > expectedSeq) {
    const missing = entry.seq - expectedSeq === 1 ? `entry ${expectedSeq} is` : `entries ${expectedSeq}–${entry.seq - 1} are`;
    return `${missing} missing before seq ${entry.seq}`;
  }
  const expectedPrev = previous?.hash ?? GENESIS_HASH;
  if (entry.prevHash !== expectedPrev) {
    return previous === undefined
      ? 'the first entry does not start from the genesis hash'
      : `prevHash does not match the hash of entry ${previous.seq} (an entry was removed, replaced or reordered)`;
  }
  if (auditHash(entry.prevHash, hashedPart(entry)) !== entry.hash) {
    return 'hash mismatch: the entry was altered after it was written';
  }
  return undefined;
}

/** Entries after `afterSeq`, in seq order, a batch at a time (resumable, unlike AuditStore.iterate). */
async function* entriesAfter(store: Store, afterSeq: number, batchSize = 1000): AsyncGenerator<AuditEntry> {
  for (let from = afterSeq; ;) {
    const batch = await store.audit.list({ afterSeq: from, limit: batchSize });
    yield* batch;
    const last = batch.at(-1);
    if (last === undefined || batch.length < batchSize) return;
    from = last.seq;
  }
}

/** The seq and column of an entry the store could not read back (a JSON column edited into something that is not JSON). */
function unreadable(error: unknown): { readonly seq: number; readonly column: string } | undefined {
  const details = isRosterError(error) ? error.details : undefined;
  if (details?.reason !== UNREADABLE_AUDIT_ENTRY || typeof details.auditSeq !== 'number') return undefined;
  return { seq: details.auditSeq, column: String(details.column) };
}

/** The chain walked so far: its last entry and how many entries were read. */
class ChainWalk {
  last: AuditEntry | undefined;
  entries = 0;
  readonly mismatches = new MismatchLedger();

  /** Checks every entry after the last one walked; the first break, or undefined. */
  async continue(store: Store): Promise<ChainBreak | undefined> {
    try {
      return await this.#walk(store, 1000);
    } catch (error) {
      if (unreadable(error) === undefined) throw error;
    }
    // A batch held an entry that cannot be read: walk up to it one entry at a time, so a break before it is named first.
    try {
      return await this.#walk(store, 1);
    } catch (error) {
      const bad = unreadable(error);
      if (bad === undefined) throw error;
      this.entries += 1;
      return { seq: bad.seq, reason: `its ${bad.column} is not JSON: the entry was altered after it was written` };
    }
  }

  async #walk(store: Store, batchSize: number): Promise<ChainBreak | undefined> {
    for await (const entry of entriesAfter(store, this.last?.seq ?? 0, batchSize)) {
      this.entries += 1;
      const reason = checkLink(entry, this.last);
      if (reason !== undefined) return { seq: entry.seq, reason };
      this.mismatches.see(entry);
      this.last = entry;
    }
    return undefined;
  }

  get end(): AuditHead {
    return this.last === undefined ? EMPTY_HEAD : { seq: this.last.seq, hash: this.last.hash };
  }
}

/**
 * The head as stored, read after the walk: appends write entries and head in
 * one transaction, so every entry walked is covered by it. When it is past
 * the walk (entries appended meanwhile), the walk catches up and the head is
 * read again, until the walk finds nothing new: what is still missing then
 * was removed.
 */
async function settledHead(store: Store, walk: ChainWalk): Promise<{ head?: unknown; bad?: ChainBreak }> {
  for (;;) {
    const head = await storedHead(store);
    const seq = asHead(head)?.seq;
    if (seq === undefined || seq <= walk.end.seq) return { head };
    const before = walk.entries;
    const bad = await walk.continue(store);
    if (bad !== undefined) return { bad };
    if (walk.entries === before) return { head };
  }
}

/**
 * Walks the whole audit chain in seq order and names the first entry that
 * breaks it: an altered entry (its hash no longer matches its content), a
 * removed one (a seq gap, or a prevHash that no longer matches), or a
 * reordering (seq out of order, or prevHash pointing at another entry).
 * Then compares the end of the log with the stored head (entries removed
 * from the end, or appended without moving the head) and, when given, with
 * a head recorded outside the database (see docs/audit.md). Lists the head
 * mismatches appends recorded (audit/mismatch.ts); one not accepted makes
 * an intact chain fail too.
 */
export async function verifyAudit(store: Store, options: { readonly recordedHead?: AuditHead } = {}): Promise<VerifyResult> {
  const walk = new ChainWalk();
  const bad = await walk.continue(store) ?? await checkEnd(store, walk, options.recordedHead);
  const recorded = walk.mismatches.all;
  const mismatches = recorded.length === 0 ? {} : { mismatches: recorded };
  if (bad !== undefined) return { ok: false, entries: walk.entries, firstBad: bad, ...mismatches };
  return { ok: !walk.mismatches.unaccepted, entries: walk.entries, head: walk.end, ...mismatches };
}

/** The end of a chain walked whole against the stored head and, when given, a recorded one. */
async function checkEnd(store: Store, walk: ChainWalk, recordedHead: AuditHead | undefined): Promise<ChainBreak | undefined> {
  const settled = await settledHead(store, walk);
  const hashAt = (seq: number) => hashOf(store, seq);
  return settled.bad
    ?? await checkStoredHead(walk.end, settled.head, hashAt)
    ?? (recordedHead === undefined ? undefined : await checkRecordedHead(walk.end, recordedHead, hashAt));
}

async function hashOf(store: Store, seq: number): Promise<string | undefined> {
  if (seq === 0) return GENESIS_HASH;
  const [entry] = await store.audit.list({ afterSeq: seq - 1, limit: 1 });
  return entry?.seq === seq ? entry.hash : undefined;
}
