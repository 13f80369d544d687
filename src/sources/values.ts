import { cleanOrUndefined, textProblem } from './text.js';

/**
 * Turns one JSON object into the flat string attributes a SourceRecord holds:
 * strings are trimmed, numbers and booleans become strings, null becomes "".
 * Nested objects and arrays are refused: a source record is flat; so is text
 * a value must not carry (text.ts: not UTF-8, NUL, a lone surrogate).
 */
export type FlatValues =
  | { readonly ok: true; readonly values: Record<string, string> }
  | { readonly ok: false; readonly message: string; readonly key?: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `checkText` false: the caller knows no value can hold what text.ts refuses (it looked at the whole input). */
export function flattenValues(input: Readonly<Record<string, unknown>>, keyField: string, checkText = true): FlatValues {
  const values: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const value = scalarToString(raw);
    if (value === undefined) {
      const key = cleanOrUndefined(scalarToString(input[keyField]));
      const kind = Array.isArray(raw) ? 'an array' : `a ${typeof raw === 'object' ? 'nested object' : typeof raw}`;
      return { ok: false, message: `field "${name}" is ${kind}: only strings, numbers, booleans and null are accepted`, key };
    }
    const problem = checkText ? textProblem(name) ?? textProblem(value) : undefined;
    if (problem !== undefined) {
      // Text that was not UTF-8, NUL, a lone surrogate (text.ts): refused; a key like that cannot be read.
      const key = name === keyField ? undefined : cleanOrUndefined(scalarToString(input[keyField]));
      // No value in the message: any field may hold something private, and problems reach the audit log.
      return { ok: false, message: `field ${JSON.stringify(name)} ${problem}`, key };
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
