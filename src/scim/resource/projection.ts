import type { ScimAttribute, ScimResourceSchema, ScimSchema } from '../filter/schema.js';
import { findAttribute, findSchema, qualifyingSchema, schemasOf } from './schemas.js';

/** The names of a projection resolved against a resource type: whole extensions, whole attributes, or chosen sub-attributes. */
export interface Selection {
  readonly schemas: ReadonlySet<ScimSchema>;
  readonly attributes: ReadonlyMap<ScimAttribute, true | ReadonlySet<ScimAttribute>>;
}

/**
 * Resolves names in RFC 7644 §3.10 notation (`userName`, `name.givenName`,
 * `urn:…:User:department`, a bare extension URN), case-insensitively. An
 * unqualified name is looked up in the core schema first, then in the
 * extensions, as the filter does. Unknown names are ignored: RFC 7644 defines
 * no error for them, and a client asking for an attribute this server lacks
 * is best answered with the attributes it has (a 400 would break clients that
 * ask every server for the same list).
 */
export function resolveSelection(schema: ScimResourceSchema, names: readonly string[] | undefined): Selection | undefined {
  if (names === undefined) return undefined;
  const schemas = new Set<ScimSchema>();
  const attributes = new Map<ScimAttribute, true | Set<ScimAttribute>>();
  for (const name of names) {
    const whole = /^urn:/i.test(name) ? findSchema(schema, name) : undefined;
    if (whole !== undefined) {
      schemas.add(whole);
      continue;
    }
    const found = resolveName(schema, name);
    if (found === undefined) continue;
    const current = attributes.get(found.attribute);
    if (found.sub === undefined) attributes.set(found.attribute, true);
    else if (current !== true) attributes.set(found.attribute, new Set([...(current ?? []), found.sub]));
  }
  return { schemas, attributes };
}

function resolveName(schema: ScimResourceSchema, name: string): { attribute: ScimAttribute; sub?: ScimAttribute } | undefined {
  const owner = /^urn:/i.test(name) ? qualifyingSchema(schema, name) : undefined;
  const path = owner === undefined ? name : name.slice(owner.id.length + 1);
  const dot = path.indexOf('.');
  const [head, tail] = dot < 0 ? [path, undefined] : [path.slice(0, dot), path.slice(dot + 1)];
  const candidates = owner !== undefined ? [owner] : /^urn:/i.test(name) ? [] : schemasOf(schema);
  for (const candidate of candidates) {
    const attribute = findAttribute(candidate.attributes, head);
    if (attribute === undefined) continue;
    if (tail === undefined) return { attribute };
    const sub = findAttribute(attribute.subAttributes, tail);
    return sub === undefined ? undefined : { attribute, sub };
  }
  return undefined;
}
