import type { ScimAttribute } from '../filter/schema.js';
import { scimFault } from './errors.js';
import { findAttribute, isJsonObject, mutabilityOf, own } from './schemas.js';
import { scalarValue } from './values.js';

/** Most values a multi-valued attribute may hold (a Group's members: see prepare.ts). */
export const MAX_ELEMENTS = 1000;

/**
 * Checks one attribute's raw value and returns its stored form, or undefined
 * when it is unassigned (null, "", [], {} — RFC 7643 §2.5). A single value
 * where an array is expected is taken as a one-element array: RFC 7643 §2.4
 * asks for an array, but the meaning of a lone value is not in doubt, and
 * refusing it would fail a provisioning run for nothing (Postel).
 * Read-only sub-attributes are ignored (RFC 7644 §3.5.1); write-only ones are
 * checked, then dropped (Roster stores no secrets).
 */
export function attributeValue(attribute: ScimAttribute, raw: unknown, path: string, maxElements = MAX_ELEMENTS): unknown {
  if (raw === null || raw === undefined) return undefined;
  if (!attribute.multiValued) return singleValue(attribute, raw, path);
  const list: readonly unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length > maxElements) throw scimFault('invalidValue', `'${path}' holds more than ${maxElements} values`);
  const values = list.map((item, index) => singleValue(attribute, item, `${path}[${index}]`)).filter((value) => value !== undefined);
  if (attribute.type === 'complex' && values.filter((value) => (value as Record<string, unknown>)['primary'] === true).length > 1) {
    throw scimFault('invalidValue', `'${path}' has more than one value with "primary": true (RFC 7643 §2.4)`);
  }
  return values.length === 0 ? undefined : values;
}

function singleValue(attribute: ScimAttribute, raw: unknown, path: string): unknown {
  if (raw === null) return undefined;
  if (attribute.type !== 'complex') return scalarValue(attribute, raw, path);
  if (!isJsonObject(raw)) throw scimFault('invalidValue', `'${path}' must be an object`);
  const given = new Map<ScimAttribute, unknown>();
  for (const [key, value] of Object.entries(raw)) {
    const sub = findAttribute(attribute.subAttributes, key);
    if (sub === undefined) continue;
    if (given.has(sub)) throw scimFault('invalidSyntax', `'${path}.${sub.name}' is given more than once`);
    given.set(sub, value);
  }
  const out: Record<string, unknown> = {};
  const missing: string[] = [];
  let assigned = 0;
  for (const sub of attribute.subAttributes ?? []) {
    const mutability = mutabilityOf(sub);
    if (mutability === 'readOnly') continue;
    const value = attributeValue(sub, given.get(sub), `${path}.${sub.name}`);
    if (value === undefined) {
      if (sub.required === true) missing.push(sub.name);
      continue;
    }
    assigned += 1;
    if (mutability !== 'writeOnly') out[sub.name] = value;
  }
  // A value with nothing in it is unassigned (§2.5); one with something needs its required parts.
  if (assigned === 0) return undefined;
  if (missing.length > 0) throw scimFault('invalidValue', `'${path}' needs ${missing.map((name) => `'${name}'`).join(', ')}`);
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Equality of two stored values, strings compared as the attribute's caseExact says (for immutability). */
export function sameValue(attribute: ScimAttribute, a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    const single = { ...attribute, multiValued: false };
    return a.every((item, index) => sameValue(single, item, b[index]));
  }
  if (attribute.type === 'complex') {
    const left = (a ?? {}) as Record<string, unknown>;
    const right = (b ?? {}) as Record<string, unknown>;
    return (attribute.subAttributes ?? []).every((sub) => sameValue(sub, own(left, sub.name), own(right, sub.name)));
  }
  if (typeof a === 'string' && typeof b === 'string' && !attribute.caseExact) return a.toLowerCase() === b.toLowerCase();
  return a === b;
}
