import type { AttributePath } from './ast.js';
import { invalidFilter } from './errors.js';
import type { Location, Target } from './location.js';
import type { ScimAttribute, ScimResourceSchema, ScimSchema } from './schema.js';

/** Maps a canonical attribute name (`userName`, `meta.lastModified`, `urn:…:User:employeeNumber`) to a trusted SQL column expression. */
export type ColumnOf = (attribute: string) => string | undefined;

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const find = (list: readonly ScimAttribute[] | undefined, name: string): ScimAttribute | undefined =>
  list?.find((candidate) => same(candidate.name, name));

/** Resolves a top-level path (`userName`, `name.familyName`, `emails.value`, `urn:…:employeeNumber`) against the resource schema. */
export function resolvePath(path: AttributePath, schema: ScimResourceSchema, columnOf?: ColumnOf): Target<ScimAttribute> {
  const { owner, attribute } = findAttribute(path, schema);
  const prefix = owner === schema.core ? [] : [owner.id];
  const base = [...prefix, attribute.name];
  const canonical = [...base];
  if (path.subAttribute === undefined) {
    if (attribute.multiValued) return { array: { segments: base }, location: { segments: [] }, attribute, text: path.text };
    return withColumn({ location: { segments: base }, attribute, text: path.text }, canonical, columnOf);
  }
  const sub = find(attribute.subAttributes, path.subAttribute);
  if (sub === undefined) {
    const reason = attribute.type === 'complex' ? `has no sub-attribute '${path.subAttribute}'` : 'is not complex';
    throw invalidFilter(`attribute '${attribute.name}' ${reason}`, path.offset);
  }
  canonical.push(sub.name);
  if (attribute.multiValued) {
    if (sub.multiValued) throw invalidFilter(`multi-valued '${path.text}' inside a multi-valued attribute is not supported`, path.offset);
    return { array: { segments: base }, location: { segments: [sub.name] }, attribute: sub, text: path.text };
  }
  if (sub.multiValued) return { array: { segments: [...base, sub.name] }, location: { segments: [] }, attribute: sub, text: path.text };
  return withColumn({ location: { segments: [...base, sub.name] }, attribute: sub, text: path.text }, canonical, columnOf);
}

/** Resolves a path inside a value path (`type` in `emails[type eq "work"]`) against the parent's sub-attributes. */
export function resolveSubPath(path: AttributePath, parent: ScimAttribute, base: Location): Target<ScimAttribute> {
  if (path.uri !== undefined || path.subAttribute !== undefined) {
    throw invalidFilter(`'${path.text}' inside '${parent.name}[…]' must be a plain sub-attribute name`, path.offset);
  }
  const sub = find(parent.subAttributes, path.name);
  if (sub === undefined) throw invalidFilter(`attribute '${parent.name}' has no sub-attribute '${path.name}'`, path.offset);
  if (sub.multiValued) throw invalidFilter(`multi-valued '${path.text}' inside a value path is not supported`, path.offset);
  return { location: { ...base, segments: [...base.segments, sub.name] }, attribute: sub, text: path.text };
}

function findAttribute(path: AttributePath, schema: ScimResourceSchema): { owner: ScimSchema; attribute: ScimAttribute } {
  const schemas = [schema.core, ...(schema.extensions ?? [])];
  if (path.uri !== undefined) {
    const uri = path.uri;
    const owner = schemas.find((candidate) => same(candidate.id, uri));
    if (owner === undefined) throw invalidFilter(`unknown schema '${uri}'`, path.offset);
    const attribute = find(owner.attributes, path.name);
    if (attribute === undefined) throw invalidFilter(`unknown attribute '${path.name}' in schema '${owner.id}'`, path.offset);
    return { owner, attribute };
  }
  for (const owner of schemas) {
    const attribute = find(owner.attributes, path.name);
    if (attribute !== undefined) return { owner, attribute };
  }
  throw invalidFilter(`unknown attribute '${path.name}'`, path.offset);
}

const COLUMN_TYPES = new Set(['string', 'reference', 'dateTime']);

function withColumn(target: Target<ScimAttribute>, canonical: readonly string[], columnOf?: ColumnOf): Target<ScimAttribute> {
  if (columnOf === undefined || !COLUMN_TYPES.has(target.attribute.type)) return target;
  const [first, ...rest] = canonical;
  const name = first !== undefined && first.startsWith('urn:') ? `${first}:${rest.join('.')}` : canonical.join('.');
  const column = columnOf(name);
  return column === undefined ? target : { ...target, location: { segments: [], column } };
}
