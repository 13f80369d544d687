import { normaliseDateTime, type ScimResourceSchema } from '../filter/index.js';
import type { PatchOpName } from './patch-apply.js';
import { scimFault } from './errors.js';
import { isObject, memberIgnoringCase, sameJson } from './patch-json.js';
import type { ParsedPath } from './patch-path.js';

/** Values the stored data does not hold but a PATCH may repeat (an Okta group rename sends the `id`). */
export interface ServerManagedValues {
  readonly id?: string;
  /** The resource's `meta` as the server returns it. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

const MANAGED = new Set(['id', 'meta', 'schemas']);

/** Whether the path names `id`, `meta` or `schemas` (bare or qualified with the core schema URN). */
export function isServerManaged(schema: ScimResourceSchema, path: ParsedPath): boolean {
  const core = path.uri === undefined || path.uri.toLowerCase() === schema.core.id.toLowerCase();
  return core && MANAGED.has(path.name.toLowerCase());
}

/**
 * `id` and `meta` are readOnly (RFC 7643 §3.1) and never stored in `data`;
 * `schemas` is derived from the attributes present (applyPatch keeps it in
 * step). An operation on them changes nothing: it is ignored when it repeats
 * the current value (clients echo whole resources) and refused with
 * `mutability` when it would change one (RFC 7644 §3.5.2). Without the
 * current `id` / `meta` in `current`, a repeated value cannot be told from a
 * changed one and is ignored.
 */
export function checkServerManaged(schema: ScimResourceSchema, op: PatchOpName, path: ParsedPath, value: unknown, current: ServerManagedValues): void {
  const name = path.name.toLowerCase();
  if (name === 'schemas') return checkSchemas(schema, op === 'remove' ? undefined : value, path.text);
  if (op === 'remove' || path.filter !== undefined || (name === 'id' && path.sub !== undefined)) {
    throw scimFault('mutability', `'${path.text}' is read-only`);
  }
  if (value === null) throw scimFault('mutability', `'${path.text}' is read-only`);
  if (name === 'id') {
    if (current.id !== undefined && value !== current.id) throw scimFault('mutability', `'id' is read-only (it is "${current.id}")`);
    return;
  }
  if (current.meta === undefined) return;
  const given = path.sub === undefined ? value : { [path.sub]: value };
  if (!isObject(given)) throw scimFault('invalidValue', "'meta' needs an object");
  for (const [key, entry] of Object.entries(given)) {
    const known = memberIgnoringCase(current.meta, key);
    if (!sameMetaValue(entry, known.value)) throw scimFault('mutability', `'meta.${key}' is read-only`);
  }
}

/** Equal as JSON, or as the same instant when both are date-times. */
function sameMetaValue(given: unknown, known: unknown): boolean {
  if (typeof given === 'string' && typeof known === 'string') {
    const instant = normaliseDateTime(given);
    if (instant !== undefined && instant === normaliseDateTime(known)) return true;
  }
  return sameJson(given, known);
}

/** A client's `schemas` may only name schemas of this resource type. */
function checkSchemas(schema: ScimResourceSchema, value: unknown, text: string): void {
  if (value === undefined || value === null) return;
  const known = new Set([schema.core, ...(schema.extensions ?? [])].map((owner) => owner.id.toLowerCase()));
  const uris = Array.isArray(value) ? value : [value];
  for (const uri of uris) {
    if (typeof uri !== 'string' || !known.has(uri.toLowerCase())) throw scimFault('invalidValue', `'${text}': ${JSON.stringify(uri)} is not a schema of this resource type`);
  }
}
