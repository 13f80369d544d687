import type { ScimAttribute, ScimResourceSchema, ScimSchema } from '../filter/schema.js';

/**
 * The standard RFC 7643 §8.7.1 schemas live in src/scim/filter/standard-schemas.ts,
 * so the filter and the server read one definition of each attribute. This
 * module re-exports them and reads their §7 characteristics with the RFC's
 * defaults filled in.
 */
export {
  COMMON_ATTRIBUTES,
  CORE_GROUP_SCHEMA_ID,
  CORE_USER_SCHEMA_ID,
  ENTERPRISE_USER_SCHEMA_ID,
  GROUP_SCHEMA,
  USER_SCHEMA,
} from '../filter/standard-schemas.js';

export type Mutability = NonNullable<ScimAttribute['mutability']>;
export type Returned = NonNullable<ScimAttribute['returned']>;

/** RFC 7643 §7: mutability defaults to readWrite. */
export const mutabilityOf = (attribute: ScimAttribute): Mutability => attribute.mutability ?? 'readWrite';
/** RFC 7643 §7: returned defaults to default. */
export const returnedOf = (attribute: ScimAttribute): Returned => attribute.returned ?? 'default';

/**
 * RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA.
 * `$ref` is the one reserved name outside it (§2.4). Also keeps `__proto__` out.
 */
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The common attributes (RFC 7643 §3.1) sit in each core schema for the
 * filter; they are not part of any schema representation (§8.7.1) and the
 * server sets them itself (except externalId, which a client writes).
 */
export const SERVER_ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'meta', 'schemas']);
const COMMON_NAMES: ReadonlySet<string> = new Set([...SERVER_ATTRIBUTES, 'externalId']);

export const isCommonAttribute = (attribute: ScimAttribute): boolean => COMMON_NAMES.has(attribute.name);

/** Attribute lists indexed by lower-case name, built once per list: every body key and projection name is looked up here. */
const indexes = new WeakMap<readonly ScimAttribute[], ReadonlyMap<string, ScimAttribute>>();

/** Finds an attribute by name, case-insensitively (RFC 7643 §2.1). */
export function findAttribute(list: readonly ScimAttribute[] | undefined, name: string): ScimAttribute | undefined {
  if (list === undefined) return undefined;
  let index = indexes.get(list);
  if (index === undefined) {
    index = new Map(list.map((attribute) => [attribute.name.toLowerCase(), attribute]));
    indexes.set(list, index);
  }
  return index.get(name.toLowerCase());
}

/** The core schema first, then the extensions, in registry order. */
export const schemasOf = (schema: ScimResourceSchema): readonly ScimSchema[] => [schema.core, ...(schema.extensions ?? [])];

/** Finds a schema of a resource type by URN, case-insensitively. */
export function findSchema(schema: ScimResourceSchema, urn: string): ScimSchema | undefined {
  const wanted = urn.toLowerCase();
  return schemasOf(schema).find((candidate) => candidate.id.toLowerCase() === wanted);
}

/** Own-property read: a stored or received object never answers with a prototype's member. */
export function own(object: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * The schema whose URN, followed by ':', begins a fully qualified name
 * (`urn:…:User:department`); the longest wins when one URN prefixes another.
 */
export function qualifyingSchema(schema: ScimResourceSchema, name: string): ScimSchema | undefined {
  const lower = name.toLowerCase();
  let best: ScimSchema | undefined;
  for (const owner of schemasOf(schema)) {
    if (lower.startsWith(`${owner.id.toLowerCase()}:`) && (best === undefined || owner.id.length > best.id.length)) best = owner;
  }
  return best;
}

/** A JSON object (not null, not an array). */
export const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
