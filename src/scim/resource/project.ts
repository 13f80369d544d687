import type { ScimResource } from '../../store/types.js';
import type { ScimAttribute, ScimSchema } from '../filter/schema.js';
import { resolveSelection, type Selection } from './projection.js';
import { isJsonObject, own, returnedOf, schemasOf } from './schemas.js';
import type { Projection, ScimResourceType } from './types.js';

export interface ProjectOptions {
  /** The SCIM base URL, e.g. `https://roster.example.com/scim/v2` (a trailing '/' is ignored). */
  readonly baseUrl: string;
  readonly projection?: Projection;
}

type Json = Record<string, unknown>;

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) as given in a query:
 * comma-separated names, blanks around them ignored. An empty parameter is
 * the same as none.
 */
export function parseProjection(attributes?: string, excludedAttributes?: string): Projection {
  const included = split(attributes);
  const excluded = split(excludedAttributes);
  return { ...(included === undefined ? {} : { attributes: included }), ...(excluded === undefined ? {} : { excludedAttributes: excluded }) };
}

function split(text: string | undefined): string[] | undefined {
  const names = (text ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length === 0 ? undefined : names;
}

/**
 * The wire form of a stored resource: `schemas`, `id`, the attributes and
 * `meta` (location, `W/"<version>"` ETag). Which attributes appear follows
 * RFC 7643 §7 `returned` and RFC 7644 §3.4.2.5: "always" ones (id, schemas)
 * appear whatever is asked; "never" ones (password) never; "default" ones
 * unless `attributes` names others or `excludedAttributes` names them;
 * "request" ones only when named in `attributes`. Only attributes of the
 * type's schemas are read from `data`, so nothing unknown leaks out.
 */
export function projectResource(type: ScimResourceType, resource: ScimResource, options: ProjectOptions): Json {
  const view: View = {
    included: resolveSelection(type.schema, options.projection?.attributes),
    excluded: resolveSelection(type.schema, options.projection?.excludedAttributes),
  };
  const out: Json = {};
  for (const owner of schemasOf(type.schema)) {
    const core = owner === type.schema.core;
    const source = core ? wireCommon(type, resource, options.baseUrl) : own(resource.data, owner.id);
    const shown = showSchema(owner, isJsonObject(source) ? source : {}, view);
    if (core) Object.assign(out, shown);
    else if (Object.keys(shown).length > 0) out[owner.id] = shown;
  }
  // The order of RFC 7643 §8's examples: schemas and id first, meta last.
  const { schemas, id, meta, ...rest } = out;
  return { schemas, id, ...rest, ...(meta === undefined ? {} : { meta }) };
}

/** The core attributes with the server-kept ones (id, meta, schemas) filled in from the store's columns. */
function wireCommon(type: ScimResourceType, resource: ScimResource, baseUrl: string): Json {
  const schemas = own(resource.data, 'schemas');
  return {
    ...resource.data,
    schemas: Array.isArray(schemas) && schemas.length > 0 ? schemas : [type.schema.core.id],
    id: resource.id,
    meta: {
      resourceType: type.name,
      created: resource.created,
      lastModified: resource.lastModified,
      location: `${baseUrl.replace(/\/+$/, '')}${type.endpoint}/${encodeURIComponent(resource.id)}`,
      version: `W/"${resource.version}"`,
    },
  };
}

interface View {
  readonly included: Selection | undefined;
  readonly excluded: Selection | undefined;
}

function showSchema(owner: ScimSchema, source: Json, view: View): Json {
  const shown: Json = {};
  for (const attribute of owner.attributes) {
    const value = own(source, attribute.name);
    if (value === undefined || value === null || !wanted(owner, attribute, view)) continue;
    const visible = attribute.type === 'complex' ? showComplex(attribute, value, view) : value;
    if (visible !== undefined) shown[attribute.name] = visible;
  }
  return shown;
}

function wanted(owner: ScimSchema, attribute: ScimAttribute, { included, excluded }: View): boolean {
  const returned = returnedOf(attribute);
  if (returned === 'never') return false;
  if (returned === 'always') return true;
  if (included === undefined ? returned === 'request' : !(included.schemas.has(owner) || included.attributes.has(attribute))) return false;
  return excluded === undefined || !(excluded.schemas.has(owner) || excluded.attributes.get(attribute) === true);
}

function showComplex(attribute: ScimAttribute, value: unknown, view: View): unknown {
  const subs = (attribute.subAttributes ?? []).filter((sub) => subWanted(attribute, sub, view));
  const pick = (element: unknown): Json | undefined => {
    if (!isJsonObject(element)) return undefined;
    const picked: Json = {};
    for (const sub of subs) {
      const inner = own(element, sub.name);
      if (inner !== undefined && inner !== null) picked[sub.name] = inner;
    }
    return Object.keys(picked).length === 0 ? undefined : picked;
  };
  if (!attribute.multiValued) return pick(value);
  const elements = (Array.isArray(value) ? value : []).map(pick).filter((element) => element !== undefined);
  return elements.length === 0 ? undefined : elements;
}

/** A sub-attribute named in `attributes` narrows its parent to the named ones (plus "always" ones); one named in `excludedAttributes` is left out. */
function subWanted(parent: ScimAttribute, sub: ScimAttribute, { included, excluded }: View): boolean {
  const returned = returnedOf(sub);
  if (returned === 'never') return false;
  if (returned === 'always') return true;
  const asked = included?.attributes.get(parent);
  if (asked instanceof Set ? !asked.has(sub) : returned === 'request') return false;
  const dropped = excluded?.attributes.get(parent);
  return !(dropped instanceof Set && dropped.has(sub));
}
