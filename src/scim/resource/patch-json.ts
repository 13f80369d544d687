/**
 * Small helpers over parsed JSON. A PATCH body comes straight from a client:
 * reads go through own properties only (`own` in schemas.ts, so `constructor`
 * or `__proto__` never resolve to something inherited) and writes define own
 * data properties (so a key named `__proto__` can never replace a prototype).
 */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `object` with `key` set to `value` (in its place, keeping key order), or removed when `value` is undefined. */
export function withKey(object: Readonly<JsonObject> | undefined, key: string, value: unknown): JsonObject {
  const copy: JsonObject = {};
  let placed = false;
  for (const [name, entry] of Object.entries(object ?? {})) {
    if (name !== key) define(copy, name, entry);
    else if (value !== undefined) define(copy, name, value);
    placed ||= name === key;
  }
  if (!placed && value !== undefined) define(copy, key, value);
  return copy;
}

export function define(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * RFC 7643 §2.5: null, an empty array and (for Roster) an object without
 * sub-attributes all mean "unassigned"; this folds them to undefined.
 */
export function assigned(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (isObject(value) && Object.keys(value).length === 0) return undefined;
  return value;
}

/** Structural equality of JSON values; key order does not matter. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
}

/** Finds an own member by name, ignoring case; two spellings of one name are ambiguous. */
export function memberIgnoringCase(object: Readonly<JsonObject>, name: string): { readonly value: unknown; readonly ambiguous: boolean } {
  const keys = Object.keys(object).filter((key) => key.toLowerCase() === name.toLowerCase());
  const key = keys[0];
  return { value: key === undefined ? undefined : object[key], ambiguous: keys.length > 1 };
}
