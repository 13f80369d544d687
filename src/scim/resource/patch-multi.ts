import type { ScimAttribute } from '../filter/index.js';
import { scimFault } from './errors.js';
import { isObject, sameJson, withKey, type JsonObject } from './patch-json.js';
import { findAttribute, own } from './schemas.js';

/**
 * Operations on the element list of a multi-valued attribute. Lists are never
 * changed in place: every function returns a new list, and an element that
 * changes is a new object, so "is this element new?" is a reference test.
 */

/**
 * What makes two elements "the same value" (RFC 7644 §3.5.2.1: adding a value
 * that is already there changes nothing), as a function from element to key.
 * For complex elements with a `value` sub-attribute (emails, members,
 * roles…) it is `value`, so a member added again with a `display` or a `type`
 * updates the one element instead of doubling it; otherwise it is the whole
 * element. Strings fold case unless caseExact, as the filter's `eq` does.
 * The schema is looked up once, so a scan of a long list costs a few
 * property reads per element.
 */
export function elementKeyer(attribute: ScimAttribute): (element: unknown) => string {
  const complex = attribute.type === 'complex';
  const valueSub = complex ? findAttribute(attribute.subAttributes, 'value') : attribute;
  const foldValue = valueSub?.type === 'string' && !valueSub.caseExact;
  const whole = (element: unknown): string => {
    if (!isObject(element)) return `j${JSON.stringify(element)}`;
    const entries = Object.keys(element)
      .sort()
      .map((key) => [key, fold(findAttribute(attribute.subAttributes, key), element[key])]);
    return `e${JSON.stringify(entries)}`;
  };
  return (element) => {
    const value = !complex ? element : isObject(element) && valueSub !== undefined ? own(element, 'value') : undefined;
    if (value === undefined) return whole(element);
    if (typeof value === 'string') return `s${foldValue ? value.toLowerCase() : value}`;
    return `j${JSON.stringify(value)}`;
  };
}

function fold(attribute: ScimAttribute | undefined, value: unknown): unknown {
  return typeof value === 'string' && attribute?.type === 'string' && !attribute.caseExact ? value.toLowerCase() : value;
}

/**
 * Appends `added` to `current`; an element already there (by elementKey) has
 * the new sub-attributes merged into it instead, unless both name a different
 * `type` (the same address as a work and a home email are two values).
 * One pass over `current`.
 */
export function appendElements(attribute: ScimAttribute, current: readonly unknown[], added: readonly unknown[]): unknown[] {
  const keyOf = elementKeyer(attribute);
  const pending = new Map<string, unknown[]>();
  for (const element of added) {
    const key = keyOf(element);
    const group = pending.get(key) ?? [];
    const same = group.findIndex((other) => !otherType(attribute, other, element));
    if (same === -1) group.push(element);
    else group[same] = mergeElement(group[same], element);
    pending.set(key, group);
  }
  const result = current.map((element) => {
    const group = pending.get(keyOf(element));
    const at = group === undefined ? -1 : group.findIndex((other) => !otherType(attribute, element, other));
    if (group === undefined || at === -1) return element;
    const merged = mergeElement(element, group.splice(at, 1)[0]);
    return sameJson(merged, element) ? element : merged;
  });
  for (const group of pending.values()) result.push(...group);
  return result;
}

function otherType(attribute: ScimAttribute, a: unknown, b: unknown): boolean {
  const typeSub = findAttribute(attribute.subAttributes, 'type');
  const [left, right] = [a, b].map((element) => (isObject(element) ? fold(typeSub, own(element, 'type')) : undefined));
  return left !== undefined && right !== undefined && left !== right;
}

/** Sub-attributes of `update` over those of `base` (RFC 7644 §3.5.2.1 / §3.5.2.3: unspecified ones are left unchanged). */
export function mergeElement(base: unknown, update: unknown): unknown {
  if (!isObject(base) || !isObject(update)) return update;
  let merged: JsonObject = base;
  for (const [key, value] of Object.entries(update)) if (!sameJson(own(merged, key), value)) merged = withKey(merged, key, value);
  return merged;
}

/**
 * Removes the elements equal (by `value` for complex elements) to one of
 * `values`. A tolerated non-RFC shape: Microsoft Entra ID removes group
 * members with `{"op":"Remove","path":"members","value":[{"value":"id"}]}`
 * instead of a `members[value eq "id"]` filter. Values not present are
 * ignored (the removal is idempotent, as Entra retries it).
 */
export function removeElements(attribute: ScimAttribute, current: readonly unknown[], values: readonly unknown[]): unknown[] {
  const valueSub = attribute.type === 'complex' ? findAttribute(attribute.subAttributes, 'value') : undefined;
  if (attribute.type === 'complex' && valueSub === undefined) throw scimFault('invalidValue', `'${attribute.name}' has no 'value' to remove elements by`);
  for (const value of values) {
    if (valueSub !== undefined && (!isObject(value) || own(value, 'value') === undefined)) {
      throw scimFault('invalidValue', `removing from '${attribute.name}' by value needs a 'value' in every element`);
    }
  }
  const keyOf = elementKeyer(attribute);
  const doomed = new Set(values.map(keyOf));
  return current.filter((element) => !doomed.has(keyOf(element)));
}

/**
 * RFC 7643 §2.4: `primary: true` appears at most once. An element this
 * operation added or changed (not in `before` by reference) that is primary
 * takes the flag from the others; two such elements are refused.
 */
export function keepOnePrimary(attribute: ScimAttribute, before: readonly unknown[], after: readonly unknown[]): unknown[] {
  if (findAttribute(attribute.subAttributes, 'primary') === undefined) return [...after];
  const old = new Set(before);
  const isPrimary = (element: unknown): boolean => isObject(element) && own(element, 'primary') === true;
  const chosen = after.filter((element) => !old.has(element) && isPrimary(element));
  if (chosen.length > 1) throw scimFault('invalidValue', `'${attribute.name}': at most one value may be primary (RFC 7643 §2.4)`);
  if (chosen.length === 0) return [...after];
  return after.map((element) => (element !== chosen[0] && isPrimary(element) ? withKey(element as JsonObject, 'primary', false) : element));
}
