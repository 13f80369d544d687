import { Optional } from '@marcbachmann/cel-js';
import { UniqueCandidates } from './unique.js';

/** A mapping's value once converted out of CEL's representation. */
export type MappingValue = string | number | boolean | null | readonly MappingValue[] | UniqueCandidates;

/**
 * CEL values to plain values: int/uint (bigint) → number, timestamp → ISO
 * string, optional → its value or null, lists → arrays of plain values.
 * Returns undefined for what a mapping cannot produce (maps, bytes,
 * durations, types), which the caller reports.
 */
export function toPlainValue(value: unknown): MappingValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return value;
    case 'bigint':
      return Number(value);
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (value instanceof UniqueCandidates) return value;
  if (Array.isArray(value)) {
    const items: MappingValue[] = [];
    for (const item of value) {
      const plain = toPlainValue(item);
      if (plain === undefined) return undefined;
      items.push(plain);
    }
    return items;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Optional) return value.hasValue() ? toPlainValue(value.value()) : null;
  // cel-js represents unsigned ints as a wrapper with valueOf() → bigint.
  if (value.constructor?.name === 'UnsignedInt') return Number((value as { valueOf(): bigint }).valueOf());
  return undefined;
}

/** Human name of a JS value's CEL kind, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Map) return 'map';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
