import type { ScimAttribute } from '../filter/index.js';
import { patchError } from './patch-errors.js';
import { define, isObject, type JsonObject } from './patch-json.js';
import { findAttribute } from './schemas.js';
import { scalarValue } from './values.js';

/**
 * Turns a client's value into the stored form of an attribute, or throws
 * `invalidValue`. Tolerant of what real clients send (Entra ID's "True" /
 * "False" strings, numbers as strings, a bare id where a complex attribute with
 * a `value` sub-attribute is expected), strict about everything else: an
 * unknown sub-attribute is refused, not dropped.
 *
 * The walk follows the schema, never the value: a complex attribute's
 * sub-attributes are simple (RFC 7643 §2.3.8), so the depth looked at is
 * bounded by the schema however deeply a client nests its JSON.
 *
 * Returns undefined for null: RFC 7643 §2.5 treats null as unassigned.
 */
export function coerceValue(attribute: ScimAttribute, raw: unknown, where: string): unknown {
  if (raw === null || raw === undefined) return undefined;
  if (!attribute.multiValued) return coerceSingle(attribute, raw, where);
  const items = Array.isArray(raw) ? raw : [raw];
  const elements: unknown[] = [];
  for (const item of items) {
    const element = item === null ? undefined : coerceSingle(attribute, item, where);
    if (element !== undefined && !(isObject(element) && Object.keys(element).length === 0)) elements.push(element);
  }
  return elements;
}

/** One value (one element, for a multi-valued attribute). */
export function coerceSingle(attribute: ScimAttribute, raw: unknown, where: string): unknown {
  if (attribute.type !== 'complex') return coercePrimitive(attribute, raw, where);
  const valueSub = findAttribute(attribute.subAttributes, 'value');
  // Tolerated non-RFC shape: Entra ID sets `manager` with a bare id string.
  if (!isObject(raw) && !Array.isArray(raw) && valueSub !== undefined) return { value: coerceValue(valueSub, raw, `${where}.value`) };
  if (!isObject(raw)) throw patchError('invalidValue', `'${where}' needs an object of sub-attributes`);
  const out: JsonObject = {};
  for (const [key, entry] of Object.entries(raw)) {
    const sub = findAttribute(attribute.subAttributes, key);
    if (sub === undefined) throw patchError('invalidValue', `'${where}' has no sub-attribute '${key}'`);
    const value = coerceValue(sub, entry, `${where}.${sub.name}`);
    if (value !== undefined) define(out, sub.name, value);
  }
  return out;
}

/**
 * A simple value, checked as a POST or PUT checks it (values.ts: type, length,
 * storable text, "True"/"False" for booleans, "" as unassigned), after two
 * PATCH tolerances of its own: a number sent as a string ("42") for integer
 * and decimal attributes, and a refusal of impossible dates that `Date.parse`
 * would silently roll over.
 */
function coercePrimitive(attribute: ScimAttribute, raw: unknown, where: string): unknown {
  if (attribute.type === 'integer' || attribute.type === 'decimal') return scalarValue(attribute, coerceNumber(raw) ?? raw, where);
  if (attribute.type === 'dateTime' && typeof raw === 'string' && raw !== '' && !realDate(raw)) {
    throw patchError('invalidValue', `'${where}' must be an xsd:dateTime string naming a real day`);
  }
  return scalarValue(attribute, raw, where);
}

const NUMERIC = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a numeric string ("42", "-1.5e3") stands for; undefined for anything else. */
function coerceNumber(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !NUMERIC.test(raw.trim())) return undefined;
  const number = Number(raw.trim());
  return Number.isFinite(number) ? number : undefined;
}

/** Whether the date part names a real day: `Date.parse` turns "2026-02-31" into March 3rd instead of refusing it. */
function realDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (match === null) return true;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
