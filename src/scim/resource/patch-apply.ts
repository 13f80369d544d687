import type { FilterNode, ScimAttribute } from '../filter/index.js';
import { scimFault } from './errors.js';
import { compileElementFilter, filterTemplate } from './patch-filter.js';
import { assigned, isObject, sameJson, withKey } from './patch-json.js';
import { appendElements, keepOnePrimary, mergeElement, removeElements } from './patch-multi.js';
import type { PatchTarget } from './patch-path.js';
import { coerceSingle, coerceValue } from './patch-values.js';
import { mutabilityOf, own } from './schemas.js';

export type PatchOpName = 'add' | 'replace' | 'remove';

/** One operation on one attribute: a path operation, or one key of a no-path value. */
export interface AttributeChange {
  readonly op: PatchOpName;
  readonly target: PatchTarget;
  /** The value as the client sent it; undefined when there was none. */
  readonly value: unknown;
  readonly budget: WorkBudget;
  /** One key of a no-path value: part of a resource representation, where readOnly attributes are ignored. */
  readonly fromValue?: boolean;
}

/**
 * Values one request may visit in all. Each operation on a multi-valued
 * attribute scans its list (a filter, a duplicate check), about 100 ns a
 * value, so 1,000 operations on a 100,000-member group would hold the event
 * loop for seconds. 10 million allows the full 1,000 operations on lists of
 * 10,000 and 100 on the largest group. Past it: `tooMany` (RFC 7644 §3.12:
 * more than "the server is willing to calculate or process").
 */
export const MAX_VALUE_VISITS = 10_000_000;

export class WorkBudget {
  #left = MAX_VALUE_VISITS;

  spend(visits: number): void {
    this.#left -= visits;
    if (this.#left < 0) throw scimFault('tooMany', `the operations would visit more than ${MAX_VALUE_VISITS} values: send them in smaller requests`);
  }
}

/**
 * The attribute's value after the change (undefined: unassigned), following
 * RFC 7644 §3.5.2.1 (add), §3.5.2.2 (remove) and §3.5.2.3 (replace), with
 * the attribute's mutability and `required` checked.
 *
 * ReadOnly attributes: an operation whose path names one is a modification
 * RFC 7644 §3.5.2 forbids ("a client MUST NOT modify an attribute that has
 * mutability readOnly"; an incompatible operation SHALL get an error), so it
 * is `mutability` unless it repeats the stored value. A readOnly attribute
 * that is part of a value — a key of a no-path value, which is a resource
 * representation, or a sub-attribute of an object value — is an echo of what
 * the client read, and is ignored as a PUT ignores it (§3.5.1: "Any values
 * provided SHALL be ignored"). Okta and Entra ID send whole resources back
 * that way, `groups` included, which Roster computes and never stores.
 * `id` and `meta` keep their own checks (patch-managed.ts).
 */
export function changeAttribute(change: AttributeChange, current: unknown): unknown {
  const { target } = change;
  change.budget.spend(Array.isArray(current) ? current.length + 1 : 1);
  if (change.fromValue === true && mutabilityOf(target.attribute) === 'readOnly') return current;
  let next: unknown;
  if (target.filter !== undefined) next = changeSelected(change, target.filter, current);
  else if (target.sub !== undefined) next = target.attribute.multiValued ? changeEverySub(change, current) : setSub(change, current);
  else next = changeWhole(change, current);
  next = assigned(next);
  checkMutability(target.attribute, current, next, target.text);
  return next;
}

function changeWhole(change: AttributeChange, current: unknown): unknown {
  const { op, target, value } = change;
  const { attribute } = target;
  if (op === 'remove') {
    // Entra ID's member removal by a value list; with no value the whole attribute goes.
    if (attribute.multiValued && value !== undefined && value !== null) {
      return removeElements(attribute, list(current), list(coerceValue(attribute, value, target.text)));
    }
    return undefined;
  }
  const coerced = coerceValue(attribute, value, target.text);
  if (coerced === undefined) return op === 'add' ? current : undefined;
  if (attribute.multiValued) {
    const before = list(current);
    return keepOnePrimary(attribute, before, op === 'add' ? appendElements(attribute, before, list(coerced)) : list(coerced));
  }
  // §3.5.2.1 and §3.5.2.3 alike: a complex value's unspecified sub-attributes are left unchanged.
  if (attribute.type === 'complex') return mergeComplex(attribute, current, coerced, target.text);
  return coerced;
}

function mergeComplex(attribute: ScimAttribute, current: unknown, update: unknown, text: string): unknown {
  const merged = mergeElement(isObject(current) ? current : {}, update);
  for (const sub of attribute.subAttributes ?? []) {
    checkMutability(sub, isObject(current) ? own(current, sub.name) : undefined, isObject(merged) ? own(merged, sub.name) : undefined, `${text}.${sub.name}`);
  }
  return merged;
}

/** `emails.value` with no filter: every element (a first one when there are none yet). */
function changeEverySub(change: AttributeChange, current: unknown): unknown {
  const before = list(current);
  const elements = before.length === 0 && change.op !== 'remove' ? [undefined] : before;
  const after = elements.map((element) => setSub(change, element)).filter((element) => element !== undefined);
  return keepOnePrimary(change.target.attribute, before, after);
}

/** Sets or removes the target's sub-attribute in one complex value; returns the new value (undefined when it ends empty). */
function setSub(change: AttributeChange, element: unknown): unknown {
  const { op, target, value } = change;
  const sub = target.sub as ScimAttribute;
  const where = `${target.attribute.name}.${sub.name}`;
  const before = isObject(element) ? own(element, sub.name) : undefined;
  let after: unknown;
  if (op !== 'remove') {
    const coerced = coerceValue(sub, value, where);
    if (coerced === undefined) after = op === 'add' ? before : undefined;
    else after = sub.multiValued && op === 'add' ? appendElements(sub, list(before), list(coerced)) : coerced;
  }
  after = assigned(after);
  checkMutability(sub, before, after, where);
  if (sameJson(before, after)) return element;
  return assigned(withKey(isObject(element) ? element : undefined, sub.name, after));
}

/** A value path: `members[value eq "x"]`, `emails[type eq "work"].value`. */
function changeSelected(change: AttributeChange, filter: FilterNode, current: unknown): unknown {
  const { op, target, value } = change;
  const { attribute } = target;
  const matches = compileElementFilter(filter, attribute);
  const before = list(current);
  // By position, not by value: equal simple values are still separate elements.
  const hit = before.map((element) => matches(element));
  const first = hit.indexOf(true);
  if (first === -1) return addUnmatched(change, filter, before);
  let after: unknown[];
  if (target.sub !== undefined) {
    after = before.map((element, at) => (hit[at] ? setSub(change, element) : element)).filter((element) => element !== undefined);
  } else if (op === 'remove' || value === null) {
    after = op === 'add' ? [...before] : before.filter((_, at) => !hit[at]);
  } else {
    const update = coerceSingle(attribute, value, target.text);
    // replace: the selected elements become the one value (at the first one's place); add: it is merged into each.
    after = before.flatMap((element, at) => {
      if (!hit[at]) return [element];
      if (op === 'add') return [mergeElement(element, update)];
      return at === first ? [update] : [];
    });
  }
  return keepOnePrimary(attribute, before, after);
}

/**
 * No element matched. RFC 7644 §3.5.2.2 / §3.5.2.3 and §3.12: for remove and
 * replace that is `noTarget`. For add the filter's `eq` terms describe the
 * element to create (`emails[type eq "work"].value`, as Entra ID sends).
 */
function addUnmatched(change: AttributeChange, filter: FilterNode, before: readonly unknown[]): unknown[] {
  const { op, target, value } = change;
  const template = op === 'add' ? filterTemplate(filter, target.attribute) : undefined;
  if (template === undefined) throw scimFault('noTarget', `'${target.text}' matches no value`);
  if (value === null) return [...before];
  const element = target.sub === undefined ? mergeElement(template, coerceSingle(target.attribute, value, target.text)) : setSub(change, template);
  return keepOnePrimary(target.attribute, before, [...before, element]);
}

/**
 * RFC 7644 §3.5.2: a client MUST NOT modify a readOnly attribute, nor an
 * immutable one that already has a value (it MAY add one to an empty one);
 * §3.5.2.2: removing or unassigning a required attribute is `mutability` too.
 * Repeating the current value is not a modification. (ReadOnly values echoed
 * inside a value never get here: see changeAttribute.)
 */
export function checkMutability(attribute: ScimAttribute, before: unknown, after: unknown, text: string): void {
  if (sameJson(before, after)) return;
  const mutability = mutabilityOf(attribute);
  if (mutability === 'readOnly') throw scimFault('mutability', `'${text}' is read-only`);
  if (mutability === 'immutable' && before !== undefined) throw scimFault('mutability', `'${text}' is immutable: it cannot change once set`);
  if (after === undefined && attribute.required === true) throw scimFault('mutability', `'${text}' is required and cannot be removed`);
}

function list(value: unknown): readonly unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
