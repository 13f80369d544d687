import type { ScimAttribute } from '../filter/index.js';
import { scimFault } from './errors.js';
import { define, isObject, type JsonObject } from './patch-json.js';
import { findAttribute, mutabilityOf } from './schemas.js';
import { scalarValue } from './values.js';

/**
 * Turns a client's value into the stored form of an attribute, or throws
 * `invalidValue`. Simple values are checked by `scalarValue`, as in a POST or
 * PUT. Tolerant of a bare id where a complex attribute with a `value`
 * sub-attribute is expected (Entra ID's `manager`); read-only sub-attributes
 * are dropped; an unknown sub-attribute is refused, not dropped.
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
  if (attribute.type !== 'complex') return scalarValue(attribute, raw, where);
  const valueSub = findAttribute(attribute.subAttributes, 'value');
  // Tolerated non-RFC shape: Entra ID sets `manager` with a bare id string.
  if (!isObject(raw) && !Array.isArray(raw) && valueSub !== undefined) return { value: coerceValue(valueSub, raw, `${where}.value`) };
  if (!isObject(raw)) throw scimFault('invalidValue', `'${where}' needs an object of sub-attributes`);
  const out: JsonObject = {};
  const readOnlyParent = mutabilityOf(attribute) === 'readOnly';
  for (const [key, entry] of Object.entries(raw)) {
    const sub = findAttribute(attribute.subAttributes, key);
    if (sub === undefined) throw scimFault('invalidValue', `'${where}' has no sub-attribute '${key}'`);
    // Part of a value, so an echo: ignored as a PUT ignores it (RFC 7644 §3.5.1), e.g. `manager.displayName`.
    // Under a readOnly attribute (`groups`) the whole value is the attribute's, checked by changeAttribute.
    if (mutabilityOf(sub) === 'readOnly' && !readOnlyParent) continue;
    const value = coerceValue(sub, entry, `${where}.${sub.name}`);
    if (value !== undefined) define(out, sub.name, value);
  }
  return out;
}
