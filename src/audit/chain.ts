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
  return serialise(value) ?? 'null';
}

/** The canonical JSON of a value, or undefined where JSON.stringify would leave it out (undefined, function, symbol). */
export function canonicalOrUndefined(value: unknown): string | undefined {
  return serialise(value);
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
  const part = (key: string, text: string | undefined) => (text === undefined ? '' : `,"${key}":${text}`);
  const optionalString = (key: string, value: string | undefined) => (value === undefined ? '' : `,"${key}":${JSON.stringify(value)}`);
  return `{"actor":${JSON.stringify(fields.actor)}${part('after', fields.after)},"at":${JSON.stringify(fields.at)}`
    + `${part('before', fields.before)}${part('data', fields.data)}${optionalString('identity', fields.identity)}`
    + `,"kind":${JSON.stringify(fields.kind)}${part('reasons', fields.reasons)},"seq":${JSON.stringify(fields.seq)}`
    + `${optionalString('target', fields.target)}}`;
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
