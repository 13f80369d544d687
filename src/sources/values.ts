/**
 * Turns one JSON object into the flat string attributes a SourceRecord holds:
 * strings are trimmed, numbers and booleans become strings, null becomes "".
 * Nested objects and arrays are refused: a source record is flat.
 */
export type FlatValues =
  | { readonly ok: true; readonly values: Record<string, string> }
  | { readonly ok: false; readonly message: string; readonly key?: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function flattenValues(input: Readonly<Record<string, unknown>>, keyField: string): FlatValues {
  const values: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const value = scalarToString(raw);
    if (value === undefined) {
      const key = scalarToString(input[keyField]) || undefined;
      const kind = Array.isArray(raw) ? 'an array' : `a ${typeof raw === 'object' ? 'nested object' : typeof raw}`;
      return { ok: false, message: `field "${name}" is ${kind}: only strings, numbers, booleans and null are accepted`, key };
    }
    values[name] = value;
  }
  return { ok: true, values };
}

function scalarToString(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** Describe a JSON value's kind for messages ("a string", "an array", "null"). */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
