import { hash } from 'node:crypto';
import { isRosterError } from '../core/errors.js';
import type { AuditEntry, UnreadableAuditEntry } from '../core/types.js';

/** prevHash of the first entry of the chain: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash of one entry covers: everything but the two hashes. */
export type HashedAuditEntry = Omit<AuditEntry, 'hash' | 'prevHash'>;

/**
 * JSON with object keys sorted (by UTF-16 code unit, like Array#sort), no
 * whitespace, and the same value rules as JSON.stringify: undefined, function
 * and symbol properties are dropped (and become null inside arrays), toJSON()
 * is honoured (Dates become ISO strings), non-finite numbers become null.
 * A top-level value that JSON cannot represent yields 'null'. BigInt throws.
 */
export function canonicalJson(value: unknown): string {
  return canonicalOrUndefined(value) ?? 'null';
}

/**
 * The canonical JSON of a value, or undefined where JSON.stringify would leave it out (undefined, function, symbol).
 *
 * Fast path: a copy of the value made of fresh plain objects whose keys were
 * added in sorted order (so they enumerate in that order), serialised by one
 * native JSON.stringify. The copy walks the value exactly as the text
 * serialiser below does (toJSON first, then the keys in sorted order), and
 * JSON.stringify writes strings, numbers and dropped values by the very rules
 * that serialiser follows, so the text is the same. A key a fresh object
 * cannot keep in its place (an array index such as "10", which objects
 * enumerate first and by number; '__proto__'), a toJSON on the prototypes the
 * copy's own objects inherit from, and any error (BigInt, a cycle) leave the
 * copy for the text serialiser, which gives the answer (or the error).
 */
export function canonicalOrUndefined(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return serialise(value);
  if (typeof (Object.prototype as { toJSON?: unknown }).toJSON === 'function' || typeof (Array.prototype as { toJSON?: unknown }).toJSON === 'function') {
    return serialise(value);
  }
  try {
    return JSON.stringify(sortedCopy(value));
  } catch {
    return serialise(value);
  }
}

/** Thrown by sortedCopy where a fresh object would not keep a key in sorted place. */
const UNCOPYABLE = new Error('canonicalJson: key kept out of order by a plain object');

/** Sorts a short array of distinct keys in place by UTF-16 code unit (what Array#sort does, without its per-call cost). */
function sortKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    if ((keys[j] as string) < key) continue;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j -= 1;
    }
    keys[j + 1] = key;
  }
}

/** The value as JSON.stringify should see it: see canonicalOrUndefined. undefined where the value is left out. */
function sortedCopy(input: unknown): unknown {
  switch (typeof input) {
    case 'string':
    case 'boolean':
    case 'number':
      return input; // JSON.stringify writes them as serialise does (non-finite numbers as null)
    case 'object': {
      if (input === null) return null;
      const toJson = (input as { toJSON?: unknown }).toJSON;
      if (typeof toJson === 'function') return sortedCopy((toJson as () => unknown).call(input));
      if (Array.isArray(input)) {
        const items: unknown[] = [];
        for (let i = 0; i < input.length; i++) {
          const item = sortedCopy(input[i]);
          items.push(item === undefined ? null : item);
        }
        return items;
      }
      const keys = Object.keys(input);
      sortKeys(keys);
      const copy: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        const first = key.charCodeAt(0);
        if ((first >= 0x30 && first <= 0x39) || key === '__proto__') throw UNCOPYABLE;
        const item = sortedCopy((input as Record<string, unknown>)[key]);
        if (item !== undefined) copy[key] = item;
      }
      return copy;
    }
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt is not serialisable');
    default:
      return undefined; // undefined, function, symbol
  }
}

/** Quoted object keys: the same few attribute and field names come back for every entry. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** The canonical text written piece by piece: the definition the fast path of canonicalOrUndefined must match. */
function serialise(input: unknown): string | undefined {
  if (input === null) return 'null';
  switch (typeof input) {
    case 'string':
      return JSON.stringify(input);
    case 'boolean':
      return input ? 'true' : 'false';
    case 'number':
      return Number.isFinite(input) ? JSON.stringify(input) : 'null';
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt is not serialisable');
    case 'object': {
      const toJson = (input as { toJSON?: unknown }).toJSON;
      if (typeof toJson === 'function') return serialise((toJson as () => unknown).call(input));
      return Array.isArray(input) ? serialiseArray(input) : serialiseObject(input as Record<string, unknown>);
    }
    default:
      return undefined; // undefined, function, symbol
  }
}

function serialiseArray(values: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < values.length; i++) text += `${i === 0 ? '' : ','}${serialise(values[i]) ?? 'null'}`;
  return `${text}]`;
}

function serialiseObject(value: Readonly<Record<string, unknown>>): string {
  let text = '{';
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const item = serialise(value[key]);
    if (item === undefined) continue;
    text += `${first ? '' : ','}${quotedKey(key)}:${item}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * The fields of an entry as canonical JSON texts (absent ones undefined):
 * what appendAudit serialises once, both to store and to hash.
 */
export interface CanonicalEntryFields {
  readonly seq: number;
  readonly at: string;
  readonly kind: string;
  readonly actor: string;
  readonly identity?: string;
  readonly target?: string;
  readonly reasons?: string;
  readonly before?: string;
  readonly after?: string;
  readonly data?: string;
}

/**
 * canonicalJson of the entry these fields describe, assembled from the
 * fields' own canonical texts (keys in sorted order) without serialising
 * anything twice. Equal to canonicalJson(entry) by construction; chain.test
 * checks it.
 */
export function canonicalEntryJson(fields: CanonicalEntryFields): string {
  // Plain concatenation, no helper closures: this runs once per entry appended.
  let text = `{"actor":${JSON.stringify(fields.actor)}`;
  if (fields.after !== undefined) text += `,"after":${fields.after}`;
  text += `,"at":${JSON.stringify(fields.at)}`;
  if (fields.before !== undefined) text += `,"before":${fields.before}`;
  if (fields.data !== undefined) text += `,"data":${fields.data}`;
  if (fields.identity !== undefined) text += `,"identity":${JSON.stringify(fields.identity)}`;
  text += `,"kind":${JSON.stringify(fields.kind)}`;
  if (fields.reasons !== undefined) text += `,"reasons":${fields.reasons}`;
  text += `,"seq":${JSON.stringify(fields.seq)}`;
  if (fields.target !== undefined) text += `,"target":${JSON.stringify(fields.target)}`;
  return `${text}}`;
}

/** details.reason of the error the store throws for an entry whose JSON column no longer parses (details.auditSeq names it). */
export const UNREADABLE_AUDIT_ENTRY = 'audit.unreadable';

/** The unreadable entry an error of the store names, or undefined for any other error. */
export function unreadableEntryIn(error: unknown): UnreadableAuditEntry | undefined {
  const details = isRosterError(error) ? error.details : undefined;
  if (details?.reason !== UNREADABLE_AUDIT_ENTRY || typeof details.auditSeq !== 'number') return undefined;
  const seq = details.auditSeq;
  return { seq, unreadable: error instanceof Error ? error.message.replace(`audit entry ${seq}: `, '') : 'unreadable' };
}


/** sha256 (hex) over prevHash followed by an entry's canonical JSON text. */
export function chainHash(prevHash: string, canonicalEntry: string): string {
  // One-shot hash: half the cost of a Hash object per entry, the same digest.
  return hash('sha256', prevHash + canonicalEntry, 'hex');
}

/** sha256 (hex) over prevHash followed by the canonical JSON of the entry. */
export function auditHash(prevHash: string, entry: HashedAuditEntry): string {
  return chainHash(prevHash, canonicalJson(entry));
}
