import type { ScimAttribute, ScimResourceSchema, ScimSchema } from '../filter/schema.js';
import { scimFault } from './errors.js';
import { findAttribute, findSchema, isJsonObject, qualifyingSchema, schemasOf } from './schemas.js';

/** The raw value the body gave each attribute, by schema. */
export type Gathered = Map<ScimSchema, Map<ScimAttribute, unknown>>;

interface FlatParts {
  readonly schema: ScimSchema;
  readonly values: Map<ScimAttribute, unknown>;
}

/**
 * Finds each attribute of a POST/PUT body under its canonical name. Names are
 * case-insensitive (RFC 7643 §2.1). Extension attributes come either nested
 * (`"urn:…:enterprise:2.0:User": { "department": "x" }`) or as fully qualified
 * flat keys (`"urn:…:enterprise:2.0:User:department": "x"`, RFC 7644 §3.10),
 * and core attributes may be qualified by the core URN too.
 *
 * Unknown attributes and unknown schema URNs are ignored, not refused: RFC
 * 7644 §3.3 says nothing about them, and real clients send them (Entra ID sends
 * its custom extension URNs, Okta sends attributes an app profile maps), so a
 * refusal would stop provisioning over data Roster has no place for. The same
 * attribute given twice (`userName` and `USERNAME`, nested and flat) is
 * refused as invalidSyntax: which one to keep would be a guess.
 */
export function gatherBody(schema: ScimResourceSchema, body: Readonly<Record<string, unknown>>): Gathered {
  const gathered: Gathered = new Map(schemasOf(schema).map((owner) => [owner, new Map()]));
  const flat = new Map<ScimAttribute, FlatParts>();
  for (const [key, value] of Object.entries(body)) {
    if (!/^urn:/i.test(key)) {
      put(gathered, schema.core, key, value);
      continue;
    }
    const whole = findSchema(schema, key);
    if (whole !== undefined) {
      gatherNested(gathered, whole, value);
      continue;
    }
    const owner = qualifyingSchema(schema, key);
    if (owner !== undefined) gatherFlat(gathered, flat, owner, key.slice(owner.id.length + 1), value);
  }
  for (const [attribute, parts] of flat) {
    if (gathered.get(parts.schema)?.has(attribute) === true) throw givenTwice(parts.schema, attribute);
    const object: Record<string, unknown> = {};
    for (const [sub, value] of parts.values) object[sub.name] = value;
    gathered.get(parts.schema)?.set(attribute, object);
  }
  return gathered;
}

function gatherNested(gathered: Gathered, owner: ScimSchema, value: unknown): void {
  if (value === null) return;
  if (!isJsonObject(value)) throw scimFault('invalidSyntax', `'${owner.id}' must be an object of attributes`);
  for (const [name, inner] of Object.entries(value)) put(gathered, owner, name, inner);
}

function gatherFlat(gathered: Gathered, flat: Map<ScimAttribute, FlatParts>, owner: ScimSchema, path: string, value: unknown): void {
  const dot = path.indexOf('.');
  if (dot < 0) {
    put(gathered, owner, path, value);
    return;
  }
  const attribute = findAttribute(owner.attributes, path.slice(0, dot));
  if (attribute === undefined || attribute.type !== 'complex' || attribute.multiValued) return;
  const sub = findAttribute(attribute.subAttributes, path.slice(dot + 1));
  if (sub === undefined) return;
  const parts = flat.get(attribute) ?? { schema: owner, values: new Map<ScimAttribute, unknown>() };
  if (parts.values.has(sub)) throw givenTwice(owner, attribute, sub);
  parts.values.set(sub, value);
  flat.set(attribute, parts);
}

function put(gathered: Gathered, owner: ScimSchema, name: string, value: unknown): void {
  const attribute = findAttribute(owner.attributes, name);
  if (attribute === undefined) return;
  const values = gathered.get(owner);
  if (values === undefined) return;
  if (values.has(attribute)) throw givenTwice(owner, attribute);
  values.set(attribute, value);
}

function givenTwice(owner: ScimSchema, attribute: ScimAttribute, sub?: ScimAttribute): Error {
  const name = sub === undefined ? attribute.name : `${attribute.name}.${sub.name}`;
  return scimFault('invalidSyntax', `attribute '${name}' of '${owner.id}' is given more than once`);
}
