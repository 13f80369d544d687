import type { AuditEntry } from '../core/types.js';
import type { Store } from '../store/types.js';
import { GENESIS_HASH, auditHash } from './chain.js';

export type VerifyResult =
  | { readonly ok: true; readonly entries: number }
  | { readonly ok: false; readonly entries: number; readonly firstBad: { readonly seq: number; readonly reason: string } };

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

/**
 * Walks the whole audit chain in seq order and names the first entry that
 * breaks it: an altered entry (its hash no longer matches its content), a
 * removed one (a seq gap, or a prevHash that no longer matches), or a
 * reordering (seq out of order, or prevHash pointing at another entry).
 */
export async function verifyAudit(store: Store): Promise<VerifyResult> {
  let previous: AuditEntry | undefined;
  let entries = 0;
  for await (const entry of store.audit.iterate()) {
    entries += 1;
    const reason = checkLink(entry, previous);
    if (reason !== undefined) return { ok: false, entries, firstBad: { seq: entry.seq, reason } };
    previous = entry;
  }
  return { ok: true, entries };
}
