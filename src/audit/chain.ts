import { createHash } from 'node:crypto';
import type { AuditEntry } from '../core/types.js';

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

function serialise(input: unknown): string | undefined {
  const value = withToJson(input);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt is not serialisable');
    case 'object':
      return Array.isArray(value) ? serialiseArray(value) : serialiseObject(value as Record<string, unknown>);
    default:
      return undefined; // undefined, function, symbol
  }
}

function withToJson(value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') return (toJson as () => unknown).call(value);
  }
  return value;
}

function serialiseArray(values: readonly unknown[]): string {
  return `[${values.map((item) => serialise(item) ?? 'null').join(',')}]`;
}

function serialiseObject(value: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = serialise(value[key]);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

/** sha256 (hex) over prevHash followed by the canonical JSON of the entry. */
export function auditHash(prevHash: string, entry: HashedAuditEntry): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(entry)).digest('hex');
}
