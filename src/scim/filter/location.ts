/**
 * Where a value sits: under the resource's JSON column (`element` unset), under
 * one element of a multi-valued attribute being iterated as `element` (an SQL
 * alias), or in a real column (`column`, from `columnOf`).
 */
export interface Location {
  readonly segments: readonly string[];
  readonly element?: string;
  readonly column?: string;
}

/** A resolved attribute path: its value location and, when it crosses a multi-valued attribute, the array to iterate. */
export interface Target<A> {
  /** The array to iterate (EXISTS); `location` is then relative to one element. */
  readonly array?: Location;
  readonly location: Location;
  readonly attribute: A;
  /** The path as written, for messages. */
  readonly text: string;
}

/** Keys go into SQL as literals (so expression indexes match); only these characters are let through. */
const SAFE_KEY = /^[A-Za-z0-9$_:.\-]+$/;

export function assertSafeKey(key: string): string {
  if (!SAFE_KEY.test(key)) throw new TypeError(`unsafe attribute name in SCIM schema: ${JSON.stringify(key)}`);
  return key;
}
