import { isRosterError } from '../../core/errors.js';
import type { ScimResourceSchema, ScimSchema } from '../filter/index.js';
import { changeAttribute, WorkBudget, type AttributeChange, type PatchOpName } from './patch-apply.js';
import { readOperations, type PatchOperation } from './patch-body.js';
import { scimFault, type ScimFaultType } from './errors.js';
import { assigned, isObject, sameJson, withKey, type JsonObject } from './patch-json.js';
import { checkServerManaged, isServerManaged, type ServerManagedValues } from './patch-managed.js';
import { extensionNamed, parsePatchPath, resolvePatchPath, type PatchTarget } from './patch-path.js';
import { own } from './schemas.js';

export { MAX_VALUE_VISITS } from './patch-apply.js';
export { MAX_PATCH_OPERATIONS, PATCH_OP_SCHEMA } from './patch-body.js';
export type { ServerManagedValues } from './patch-managed.js';

export interface PatchResult {
  readonly data: Record<string, unknown>;
  /** False when the patch left the data as it was (RFC 7644 §3.5.2.1: the modify timestamp SHALL NOT change then). */
  readonly changed: boolean;
}

/**
 * Applies a SCIM PATCH body (RFC 7644 §3.5.2) to a resource in stored form
 * (core attributes at the top under their canonical names, extension
 * attributes under the extension URN, `schemas` included, no `id` / `meta`).
 * Pure: no I/O, the input is never changed (the result shares the values it
 * did not change with it). Operations apply in order and all or nothing
 * (§3.5.2: on any error the resource is left as it was).
 *
 * Every fault is RosterError('request.invalid', …, { details: { scimType } })
 * with an RFC 7644 §3.12 scimType; the message names the operation.
 *
 * Tolerated beyond the RFC, because Microsoft Entra ID and Okta send it:
 * `Operations` / `op` / `path` / `value` in any case, op names in any case,
 * dotted keys (`name.givenName`) in a no-path value, a bare id for
 * `manager`, member removal by a value list, `id` / `meta` / `schemas`
 * echoed unchanged. Values are checked as a POST or PUT checks them
 * (values.ts: booleans and numbers spelt as strings are taken), and readOnly
 * attributes echoed inside a value (`groups` in a no-path replace of the whole
 * resource) are ignored as a PUT ignores them; a path naming one is still
 * refused when it would change it (patch-apply.ts).
 * Refused beyond the RFC: more than MAX_PATCH_OPERATIONS operations
 * (invalidSyntax) and more than MAX_VALUE_VISITS values scanned (tooMany).
 */
export function applyPatch(
  schema: ScimResourceSchema,
  data: Readonly<Record<string, unknown>>,
  body: unknown,
  current: ServerManagedValues = {},
): PatchResult {
  const operations = readOperations(body);
  const context: PatchContext = { schema, current, budget: new WorkBudget() };
  // A shallow copy (spread defines own properties: a stored `__proto__` key stays a key).
  let draft: JsonObject = { ...data };
  operations.forEach((operation, index) => {
    try {
      draft = applyOperation(context, draft, operation);
    } catch (error) {
      if (!isRosterError(error, 'request.invalid')) throw error;
      throw scimFault((error.details?.scimType ?? 'invalidValue') as ScimFaultType, `Operations[${index}] (${operation.op}): ${error.message}`, error);
    }
  });
  const result = keepSchemasInStep(schema, data, draft);
  return { data: result, changed: !sameJson(data, result) };
}

/** What every step of one request shares. */
interface PatchContext {
  readonly schema: ScimResourceSchema;
  readonly current: ServerManagedValues;
  readonly budget: WorkBudget;
}

function applyOperation(context: PatchContext, draft: JsonObject, operation: PatchOperation): JsonObject {
  const { schema, current, budget } = context;
  const { op, path, value } = operation;
  if (path === undefined) {
    // §3.5.2.2: "If "path" is unspecified, the operation fails with … noTarget".
    if (op === 'remove') throw scimFault('noTarget', "'remove' needs a path");
    return applyValue(context, draft, op, value);
  }
  const extension = extensionNamed(schema, path);
  if (extension !== undefined) return applyExtension(context, draft, op, extension, value);
  const parsed = parsePatchPath(path, 'invalidPath');
  if (isServerManaged(schema, parsed)) {
    checkServerManaged(schema, op, parsed, value, current);
    return draft;
  }
  return applyChange(draft, { op, target: resolvePatchPath(schema, parsed, 'invalidPath'), value, budget });
}

/**
 * No path (§3.5.2.1, §3.5.2.3): the value is a set of attributes. A key may
 * be an attribute (`displayName`), URN-qualified (`urn:…:User:manager`), an
 * extension URN holding an object of its attributes, or, a tolerated non-RFC
 * shape that Entra ID sends, a dotted sub-attribute path (`name.givenName`).
 */
function applyValue(context: PatchContext, draft: JsonObject, op: PatchOpName, value: unknown, within?: ScimSchema): JsonObject {
  const { schema, current, budget } = context;
  if (!isObject(value)) throw scimFault('invalidValue', `without a path, '${op}' needs an object of attributes as its value`);
  let next = draft;
  for (const [key, entry] of Object.entries(value)) {
    const extension = within === undefined ? extensionNamed(schema, key) : undefined;
    if (extension !== undefined) {
      next = applyExtension(context, next, op, extension, entry);
      continue;
    }
    const parsed = parsePatchPath(key, 'invalidValue');
    if (parsed.filter !== undefined) throw scimFault('invalidValue', `'${key}': a key of a value cannot hold a filter`);
    if (within === undefined && isServerManaged(schema, parsed)) {
      checkServerManaged(schema, op, parsed, entry, current);
      continue;
    }
    next = applyChange(next, { op, target: resolvePatchPath(schema, parsed, 'invalidValue', within), value: entry, budget, fromValue: true });
  }
  return next;
}

/** A whole extension as the target: its value is an object of its attributes; remove (or null) unassigns each. */
function applyExtension(context: PatchContext, draft: JsonObject, op: PatchOpName, extension: ScimSchema, value: unknown): JsonObject {
  if (op !== 'remove' && value !== null) return applyValue(context, draft, op, value, extension);
  if (op === 'add') return draft;
  let next = draft;
  for (const attribute of extension.attributes) {
    next = applyChange(next, { op: 'remove', target: { extension, attribute, text: `${extension.id}:${attribute.name}` }, value: undefined, budget: context.budget });
  }
  return next;
}

/** Applies one attribute change to the draft, copying only what changes. */
function applyChange(draft: JsonObject, change: AttributeChange): JsonObject {
  const target: PatchTarget = change.target;
  const key = target.attribute.name;
  if (target.extension === undefined) {
    const before = own(draft, key);
    const after = changeAttribute(change, before);
    return sameJson(before, after) ? draft : withKey(draft, key, after);
  }
  const holder = own(draft, target.extension.id);
  const container = isObject(holder) ? holder : undefined;
  const before = container === undefined ? undefined : own(container, key);
  const after = changeAttribute(change, before);
  if (sameJson(before, after)) return draft;
  return withKey(draft, target.extension.id, assigned(withKey(container, key, after)));
}

/**
 * `schemas` lists the core schema and the extensions a resource carries: an
 * extension this patch gave the resource is added to it, one it took away is
 * dropped. Other entries are left as stored, so a no-op patch stays a no-op.
 */
function keepSchemasInStep(schema: ScimResourceSchema, before: Readonly<JsonObject>, draft: JsonObject): JsonObject {
  const stored = own(draft, 'schemas');
  if (!Array.isArray(stored)) return draft;
  let uris: unknown[] = stored;
  for (const extension of schema.extensions ?? []) {
    const listed = (uri: unknown): boolean => typeof uri === 'string' && uri.toLowerCase() === extension.id.toLowerCase();
    const has = isObject(own(draft, extension.id));
    if (has && !uris.some(listed)) uris = [...uris, extension.id];
    if (!has && isObject(own(before, extension.id))) uris = uris.filter((uri) => !listed(uri));
  }
  return uris === stored ? draft : withKey(draft, 'schemas', uris);
}
