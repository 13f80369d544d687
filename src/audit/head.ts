import { RosterError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { GENESIS_HASH } from './chain.js';

/**
 * The chain head: seq and hash of the last entry appended. The hash chain
 * alone proves every entry up to its last one, but nothing says where the
 * last one should be: deleting the tail leaves a valid, shorter chain. The
 * head, written in the same transaction as every append, says where the log
 * ends; `verify` compares the two. An empty log's head is seq 0 with the
 * genesis hash.
 */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** Where the store keeps the head (a roster_state key, so StateStore reads it). */
export const AUDIT_HEAD_KEY = 'audit.head';

export const EMPTY_HEAD: AuditHead = { seq: 0, hash: GENESIS_HASH };

const HASH = /^[0-9a-f]{64}$/;

/** The head when `value` is a well-formed one (as stored in roster_state), else undefined. */
export function asHead(value: unknown): AuditHead | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, hash } = value as { seq?: unknown; hash?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (typeof hash !== 'string' || !HASH.test(hash)) return undefined;
  return { seq, hash };
}

/** The head's value as stored, unchecked (undefined when missing): pass it to asHead. */
export async function storedHead(store: Store): Promise<unknown> {
  try {
    return await store.state.get(AUDIT_HEAD_KEY);
  } catch {
    return 'not JSON'; // as malformed as a wrong shape
  }
}

/** `<seq>:<hash>`: what `roster audit head` prints and `verify --head` reads. */
export function formatHead(head: AuditHead): string {
  return `${head.seq}:${head.hash}`;
}

export function parseHead(text: string): AuditHead {
  const match = /^(\d{1,15}):([0-9a-fA-F]{64})$/.exec(text.trim());
  if (match === null) {
    throw new RosterError('request.invalid', `expected <seq>:<64 hex digits> (as printed by 'roster audit head'), got '${text}'`);
  }
  return { seq: Number(match[1]), hash: match[2]!.toLowerCase() };
}
