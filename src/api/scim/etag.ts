import { RosterError } from '../../core/errors.js';

/** The weak entity tag of a resource version (RFC 7644 §3.14: versions are weak, `W/"n"`). */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** A parsed If-Match / If-None-Match header: `*`, or the opaque values of the tags listed. */
export type EntityTagCondition = { readonly any: true } | { readonly any: false; readonly tags: readonly string[] };

const TAG = /^(?:W\/)?"([^"]*)"$/;

/**
 * Reads an If-Match / If-None-Match value (RFC 9110 §13.1). The weak and strong
 * forms compare equal: SCIM clients echo the weak tag they were given, and
 * versions here only ever change as a whole. Undefined when the header is absent;
 * a malformed tag (unquoted, such as `1`) is left out, so it never matches:
 * a header of malformed tags only matches nothing.
 */
export function parseEntityTags(header: string | string[] | undefined): EntityTagCondition | undefined {
  if (header === undefined) return undefined;
  const text = (Array.isArray(header) ? header.join(',') : header).trim();
  if (text === '') return undefined;
  if (text === '*') return { any: true };
  const tags = text.split(',').map((part) => TAG.exec(part.trim())?.[1]).filter((tag): tag is string => tag !== undefined);
  return { any: false, tags };
}

export function conditionMatches(condition: EntityTagCondition, version: number): boolean {
  return condition.any || condition.tags.includes(String(version));
}

/** 412 unless the client's If-Match (or a bulk operation's `version`) names the stored version. */
export function assertIfMatch(condition: EntityTagCondition | undefined, version: number): void {
  if (condition !== undefined && !conditionMatches(condition, version)) {
    throw new RosterError('request.precondition_failed', `The resource is at version ${etagOf(version)}, not the one in If-Match`);
  }
}
