import { isRosterError } from '../../core/errors.js';
import { comparisonValue, normaliseDateTime, type CompareNode, type FilterNode, type ScimAttribute } from '../filter/index.js';
import { scimFault } from './errors.js';
import { assigned, define, isObject, type JsonObject } from './patch-json.js';
import { findAttribute, own } from './schemas.js';

/** Decides whether one element of a multi-valued attribute is selected. */
export type ElementPredicate = (element: unknown) => boolean;

/**
 * Compiles the filter of a value path (`emails[type eq "work"]`) into an
 * in-memory predicate over one element, with the semantics the SQL translator
 * documents in src/scim/filter/README.md: strings compare ignoring case unless
 * the sub-attribute is caseExact, ordering is by code point, dateTimes compare
 * normalised, an absent value matches no operator (`ne` included), `eq null` is
 * "not present". Every check against the schema happens here, once, so a
 * filter over an empty list is refused the same as over a full one.
 */
export function compileElementFilter(node: FilterNode, attribute: ScimAttribute): ElementPredicate {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const left = compileElementFilter(node.left, attribute);
      const right = compileElementFilter(node.right, attribute);
      return node.kind === 'and' ? (element) => left(element) && right(element) : (element) => left(element) || right(element);
    }
    case 'not': {
      const inner = compileElementFilter(node.filter, attribute);
      return (element) => !inner(element);
    }
    case 'present': {
      const read = reader(node.path, attribute);
      return (element) => {
        const value = read.value(element);
        return assigned(value) !== undefined && value !== '';
      };
    }
    case 'compare':
      return compileCompare(node, attribute);
    case 'valuePath':
      throw scimFault('invalidPath', `value paths cannot be nested ('${node.path.text}[…]')`);
  }
}

interface Reader {
  readonly sub: ScimAttribute;
  value(element: unknown): unknown;
}

/** How to read the named sub-attribute of one element; `value` of a simple multi-valued attribute is the element itself. */
function reader(path: CompareNode['path'], attribute: ScimAttribute): Reader {
  if (path.uri !== undefined || path.subAttribute !== undefined) {
    throw scimFault('invalidPath', `'${path.text}' inside '${attribute.name}[…]' must be a plain sub-attribute name`);
  }
  if (attribute.type !== 'complex') {
    if (path.name.toLowerCase() !== 'value') throw scimFault('invalidPath', `'${attribute.name}' is not complex: its filter can only name 'value'`);
    return { sub: { ...attribute, multiValued: false }, value: (element) => element };
  }
  const sub = findAttribute(attribute.subAttributes, path.name);
  if (sub === undefined) throw scimFault('invalidPath', `attribute '${attribute.name}' has no sub-attribute '${path.name}'`);
  if (sub.type === 'complex') throw scimFault('invalidPath', `'${sub.name}' is complex and cannot be compared`);
  return { sub, value: (element) => (isObject(element) ? own(element, sub.name) : undefined) };
}

const SUBSTRING = new Set(['co', 'sw', 'ew']);

function compileCompare(node: CompareNode, attribute: ScimAttribute): ElementPredicate {
  const read = reader(node.path, attribute);
  const { sub } = read;
  if (node.value === null) {
    if (node.operator !== 'eq' && node.operator !== 'ne') throw scimFault('invalidPath', `'${node.path.text} ${node.operator} null': null only works with eq and ne`);
    const wanted = node.operator === 'ne';
    return (element) => (assigned(read.value(element)) !== undefined) === wanted;
  }
  const expected = expectedValue(node, sub);
  const refuse = (why: string): never => {
    throw scimFault('invalidPath', `'${node.operator}' cannot be used on '${node.path.text}' (${why})`);
  };
  if (typeof expected === 'boolean' && node.operator !== 'eq' && node.operator !== 'ne') refuse('it is boolean: only eq, ne and pr');
  if (typeof expected === 'number' && SUBSTRING.has(node.operator)) refuse(`it is ${sub.type}: no substring match`);
  if (sub.type === 'dateTime' && SUBSTRING.has(node.operator)) refuse('it is a dateTime: no substring match');
  if (node.operator === 'eq' && typeof expected === 'string' && sub.type !== 'dateTime' && !sub.multiValued) {
    // The shape clients send once per member (`members[value eq "id"]`), on lists of up to 100,000:
    // the generic test below, specialised so that an element costs a property read and a comparison.
    const fold = sub.type === 'string' && !sub.caseExact;
    const wanted = fold ? expected.toLowerCase() : expected;
    const name = sub.name;
    const complex = attribute.type === 'complex';
    return (element) => {
      const actual = !complex ? element : typeof element === 'object' && element !== null && Object.hasOwn(element, name) ? (element as JsonObject)[name] : undefined;
      return typeof actual === 'string' && (fold ? actual.toLowerCase() : actual) === wanted;
    };
  }
  const foldCase = sub.type === 'string' && !sub.caseExact;
  const wanted = foldCase && typeof expected === 'string' ? expected.toLowerCase() : expected;
  const test = (actual: unknown): boolean => {
    const value = actualValue(actual, sub);
    if (value === undefined || typeof value !== typeof wanted) return false;
    if (typeof value === 'string' && typeof wanted === 'string') return compareText(node.operator, foldCase ? value.toLowerCase() : value, wanted);
    return compareOrdered(node.operator, value, wanted);
  };
  return (element) => {
    const actual = read.value(element);
    return Array.isArray(actual) ? actual.some(test) : test(actual);
  };
}

/** The filter's literal in the sub-attribute's type (the filter module's own rules); a mismatch is a malformed path. */
function expectedValue(node: CompareNode, sub: ScimAttribute): string | number | boolean {
  try {
    return comparisonValue(node, sub);
  } catch (error) {
    if (!isRosterError(error)) throw error;
    throw scimFault('invalidPath', error.message, error);
  }
}

/** A stored value in comparable form; undefined when it is absent or not of the attribute's type. */
function actualValue(actual: unknown, sub: ScimAttribute): string | number | boolean | undefined {
  switch (sub.type) {
    case 'boolean':
      return typeof actual === 'boolean' ? actual : undefined;
    case 'integer':
    case 'decimal':
      return typeof actual === 'number' ? actual : undefined;
    case 'dateTime':
      return typeof actual === 'string' ? normaliseDateTime(actual) : undefined;
    default:
      return typeof actual === 'string' ? actual : undefined;
  }
}

function compareText(operator: CompareNode['operator'], actual: string, expected: string): boolean {
  switch (operator) {
    case 'co':
      return actual.includes(expected);
    case 'sw':
      return actual.startsWith(expected);
    case 'ew':
      return actual.endsWith(expected);
    case 'eq':
    case 'ne':
      return compareOrdered(operator, actual, expected);
    default:
      return compareOrdered(operator, codePointOrder(actual, expected), 0);
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Orders by code point, as the SQL translator does; JavaScript's `<` compares UTF-16 units, which differs only around surrogates. */
function codePointOrder(a: string, b: string): number {
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareOrdered(operator: CompareNode['operator'], actual: string | number | boolean, expected: string | number | boolean): boolean {
  switch (operator) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'gt':
      return actual > expected;
    case 'ge':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    case 'le':
      return actual <= expected;
    default:
      return false;
  }
}

/**
 * The element a filter of `eq` comparisons joined by `and` describes
 * (`type eq "work"` → `{ type: "work" }`), or undefined for any other filter.
 * An `add` to `emails[type eq "work"].value` with no work email yet creates
 * this element (Microsoft Entra ID sends exactly that).
 */
export function filterTemplate(node: FilterNode, attribute: ScimAttribute): JsonObject | undefined {
  if (node.kind === 'and') {
    const left = filterTemplate(node.left, attribute);
    const right = filterTemplate(node.right, attribute);
    return left === undefined || right === undefined ? undefined : { ...left, ...right };
  }
  if (node.kind !== 'compare' || node.operator !== 'eq' || node.value === null || attribute.type !== 'complex') return undefined;
  const { sub } = reader(node.path, attribute);
  const template: JsonObject = {};
  define(template, sub.name, expectedValue(node, sub));
  return template;
}
