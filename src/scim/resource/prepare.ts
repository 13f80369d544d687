import type { ScimAttribute, ScimSchema } from '../filter/schema.js';
import { attributeValue, MAX_ELEMENTS, sameValue } from './check.js';
import { scimFault } from './errors.js';
import { gatherBody } from './gather.js';
import { CORE_GROUP_SCHEMA_ID, findSchema, isJsonObject, mutabilityOf, own, schemasOf, SERVER_ATTRIBUTES } from './schemas.js';
import type { PreparedResource, ScimResourceType } from './types.js';

type Json = Readonly<Record<string, unknown>>;

/** Groups of a whole organisation are big: `members` may hold this many values (other attributes: MAX_ELEMENTS). */
export const MAX_GROUP_MEMBERS = 100_000;
const MAX_ELEMENTS_OF: ReadonlyMap<string, number> = new Map([[`${CORE_GROUP_SCHEMA_ID}:members`, MAX_GROUP_MEMBERS]]);

export interface PrepareOptions {
  /** The stored data of the resource a PUT replaces; absent for a POST. */
  readonly existing?: Json;
}

/**
 * Checks a POST (create) or PUT (replace) body and returns it in stored form
 * (ScimResource.data): canonical names, core attributes at the top, extension
 * attributes under their URN, `schemas` listing the core schema and the
 * extensions the resource carries, empty values dropped.
 *
 * RFC 7644 §3.5.1 rules applied: readOnly attributes in the body are ignored
 * (id, meta, groups…; a PUT keeps their stored values); an immutable attribute
 * that has a value must be sent unchanged or left out (→ mutability); writeOnly
 * attributes (password) are checked and then dropped, as Roster keeps no
 * secrets and does not support changePassword. Every fault is
 * RosterError('request.invalid', …, { details: { scimType } }).
 */
export function prepareResource(type: ScimResourceType, body: unknown, options: PrepareOptions = {}): PreparedResource {
  if (!isJsonObject(body)) throw scimFault('invalidSyntax', 'the request body must be a JSON object');
  const listed = listedExtensions(type, schemasOfBody(body));
  const gathered = gatherBody(type.schema, body);
  const data: Record<string, unknown> = { schemas: [] };
  const carried = [type.schema.core.id];
  for (const owner of schemasOf(type.schema)) {
    const core = owner === type.schema.core;
    const before = core ? options.existing : asObject(own(options.existing, owner.id));
    const { stored, assigned } = resolveSchema(owner, gathered.get(owner) ?? new Map(), before, core ? '' : `${owner.id}:`);
    const hasData = Object.keys(stored).length > 0;
    if (core) Object.assign(data, stored);
    else if (hasData) data[owner.id] = stored;
    if (core || hasData || listed.has(owner) || type.requiredExtensions.has(owner.id)) {
      if (!core) carried.push(owner.id);
      checkRequired(owner, assigned);
    }
  }
  data['schemas'] = carried;
  const uniqueName = data[type.uniqueAttribute];
  if (typeof uniqueName !== 'string') throw scimFault('invalidValue', `'${type.uniqueAttribute}' is required`);
  return { data, uniqueName };
}

/**
 * The known extensions `schemas` names. It must name the core schema (RFC 7643
 * §3); other URIs are ignored (Entra ID lists its custom extension URNs), and
 * an extension whose data is present counts as carried even when not listed.
 */
function listedExtensions(type: ScimResourceType, schemas: unknown): ReadonlySet<ScimSchema> {
  if (!Array.isArray(schemas) || !schemas.every((uri) => typeof uri === 'string')) {
    throw scimFault('invalidSyntax', `'schemas' must be an array of schema URIs including '${type.schema.core.id}'`);
  }
  const known = new Set(schemas.map((uri: string) => findSchema(type.schema, uri)).filter((schema) => schema !== undefined));
  if (!known.has(type.schema.core)) throw scimFault('invalidSyntax', `'schemas' must include '${type.schema.core.id}'`);
  known.delete(type.schema.core);
  return known;
}

/** `schemas`, named in any case like every attribute (RFC 7643 §2.1). */
function schemasOfBody(body: Json): unknown {
  const given = Object.keys(body).filter((key) => key.toLowerCase() === 'schemas');
  if (given.length > 1) throw scimFault('invalidSyntax', "'schemas' is given more than once");
  return given[0] === undefined ? undefined : body[given[0]];
}

interface Resolved {
  readonly stored: Record<string, unknown>;
  /** Attributes that have a value after the request, write-only ones included (they are not stored). */
  readonly assigned: ReadonlySet<ScimAttribute>;
}

function resolveSchema(owner: ScimSchema, given: ReadonlyMap<ScimAttribute, unknown>, before: Json | undefined, prefix: string): Resolved {
  const stored: Record<string, unknown> = {};
  const assigned = new Set<ScimAttribute>();
  for (const attribute of owner.attributes) {
    if (SERVER_ATTRIBUTES.has(attribute.name) && prefix === '') continue;
    const previous = own(before, attribute.name);
    const mutability = mutabilityOf(attribute);
    if (mutability === 'readOnly') {
      if (previous !== undefined) stored[attribute.name] = previous;
      continue;
    }
    const limit = MAX_ELEMENTS_OF.get(`${owner.id}:${attribute.name}`) ?? MAX_ELEMENTS;
    const value = attributeValue(attribute, given.get(attribute), `${prefix}${attribute.name}`, limit);
    const kept = mutability === 'immutable' ? immutableValue(attribute, value, previous, prefix) : value;
    if (kept === undefined) continue;
    assigned.add(attribute);
    if (mutability !== 'writeOnly') stored[attribute.name] = kept;
  }
  return { stored, assigned };
}

/** RFC 7644 §3.5.1: an immutable attribute that has a value may only be sent again unchanged; left out, it stays. */
function immutableValue(attribute: ScimAttribute, value: unknown, previous: unknown, prefix: string): unknown {
  if (previous === undefined || value === undefined) return previous ?? value;
  if (!sameValue(attribute, value, previous)) throw scimFault('mutability', `'${prefix}${attribute.name}' is immutable and already has a value`);
  return previous;
}

function checkRequired(owner: ScimSchema, assigned: ReadonlySet<ScimAttribute>): void {
  for (const attribute of owner.attributes) {
    if (attribute.required !== true || mutabilityOf(attribute) === 'readOnly' || attribute.name === 'schemas') continue;
    if (!assigned.has(attribute)) throw scimFault('invalidValue', `'${attribute.name}' of '${owner.id}' is required`);
  }
}

const asObject = (value: unknown): Json | undefined => (isJsonObject(value) ? value : undefined);
