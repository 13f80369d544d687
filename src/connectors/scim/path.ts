import { eqFilter } from './filter.js';

/**
 * SCIM attribute paths as a mapping names them (RFC 7644 §3.10 / §3.5.2
 * "attrPath" and "valuePath"), reduced to the shapes provisioning needs:
 *   userName · name.givenName · emails[type eq "work"].value · emails.value
 *   urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value
 */
export interface AttributePath {
  /** The original text (PATCH paths use it as written). */
  readonly text: string;
  /** The extension schema URN, or undefined for the core schema. */
  readonly schema: string | undefined;
  readonly attribute: string;
  /** `[type eq "work"]`: which element of a multi-valued attribute. */
  readonly selector: { readonly attribute: string; readonly value: string } | undefined;
  readonly sub: string | undefined;
}

const NAME = '[A-Za-z][A-Za-z0-9_$-]*';
const PATH = new RegExp(`^(?:(urn:[A-Za-z0-9:._-]+):)?(${NAME})(?:\\[(${NAME}) eq "((?:[^"\\\\]|\\\\.)*)"\\])?(?:\\.(${NAME}))?$`);

export function parsePath(text: string): AttributePath | undefined {
  const match = PATH.exec(text);
  if (match === null) return undefined;
  const [, schema, attribute = '', selectorAttribute, selectorValue, sub] = match;
  let selector: AttributePath['selector'];
  if (selectorAttribute !== undefined) {
    try {
      selector = { attribute: selectorAttribute, value: JSON.parse(`"${selectorValue ?? ''}"`) as string };
    } catch {
      return undefined;
    }
  }
  return { text, schema, attribute, selector, sub };
}

export function isAttributePath(text: string): boolean {
  return parsePath(text) !== undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The element of a multi-valued attribute a path points at: the selected one, else the primary or only one. */
function element(values: unknown[], path: AttributePath): Json | undefined {
  const objects = values.filter(isObject);
  if (path.selector !== undefined) {
    const { attribute, value } = path.selector;
    return objects.find((o) => o[attribute] === value);
  }
  return objects.find((o) => o.primary === true) ?? objects[0];
}

/** Read the value at a path from a SCIM resource; undefined when absent. */
export function readPath(resource: Json, path: AttributePath): unknown {
  const container = path.schema === undefined ? resource : resource[path.schema];
  if (!isObject(container)) return undefined;
  const value = container[path.attribute];
  if (Array.isArray(value)) {
    const found = element(value, path);
    return path.sub === undefined ? found : found?.[path.sub];
  }
  if (path.sub === undefined) return value;
  return isObject(value) ? value[path.sub] : undefined;
}

/**
 * Set (or with null, clear) the value at a path in a resource body for POST
 * or PUT. Mutates `resource`, which the caller owns.
 */
export function writePath(resource: Json, path: AttributePath, value: unknown): void {
  let container = resource;
  if (path.schema !== undefined) {
    const extension = resource[path.schema];
    container = isObject(extension) ? extension : {};
    resource[path.schema] = container;
  }
  const current = container[path.attribute];
  const multi = path.selector !== undefined || Array.isArray(current);
  if (!multi) {
    if (path.sub === undefined) {
      container[path.attribute] = value;
      return;
    }
    const complex = isObject(current) ? current : {};
    complex[path.sub] = value;
    container[path.attribute] = complex;
    return;
  }
  const values = Array.isArray(current) ? [...current] : [];
  const found = element(values, path);
  const index = found === undefined ? -1 : values.indexOf(found);
  if (value === null) {
    if (index >= 0) values.splice(index, 1);
  } else {
    const updated: Json = { ...(found ?? {}) };
    if (path.selector !== undefined) updated[path.selector.attribute] = path.selector.value;
    if (path.sub === undefined) Object.assign(updated, isObject(value) ? value : { value });
    else updated[path.sub] = value;
    if (index >= 0) values[index] = updated;
    else values.push(updated);
  }
  container[path.attribute] = values;
}

/** The path of the whole element a selector names (what a PATCH `remove` or `add` targets). */
export function elementPath(path: AttributePath): string {
  const prefix = path.schema === undefined ? '' : `${path.schema}:`;
  if (path.selector === undefined) return `${prefix}${path.attribute}`;
  return `${prefix}${path.attribute}[${eqFilter(path.selector.attribute, path.selector.value)}]`;
}

/** The path of the attribute itself, without selector or sub-attribute (a PATCH `add` of a new element). */
export function attributePath(path: AttributePath): string {
  return path.schema === undefined ? path.attribute : `${path.schema}:${path.attribute}`;
}
