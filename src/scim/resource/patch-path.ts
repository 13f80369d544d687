import { isRosterError } from '../../core/errors.js';
import { parseFilter, type AttributePath, type FilterNode, type ScimAttribute, type ScimResourceSchema, type ScimSchema } from '../filter/index.js';
import { scimFault, type ScimFaultType } from './errors.js';
import { findAttribute, findSchema, schemasOf } from './schemas.js';

/** Where a PATCH operation points: one attribute, maybe one sub-attribute, maybe a filter over the elements. */
export interface PatchTarget {
  /** The extension holding the attribute; undefined for the core schema. */
  readonly extension?: ScimSchema;
  readonly attribute: ScimAttribute;
  readonly sub?: ScimAttribute;
  /** `emails[type eq "work"]`: selects elements of a multi-valued attribute. */
  readonly filter?: FilterNode;
  /** The path as the client wrote it, for messages. */
  readonly text: string;
}

/** A path split, not yet checked against a schema. */
export interface ParsedPath {
  readonly uri?: string;
  readonly name: string;
  readonly sub?: string;
  readonly filter?: FilterNode;
  readonly text: string;
}

const SUB_ATTRIBUTE = /^\.([A-Za-z$_][A-Za-z0-9$_-]*)$/;

/**
 * Splits a PATCH path (RFC 7644 §3.5.2, Figure 7: `attrPath` or
 * `valuePath [subAttr]`) with the filter module's parser, so there is one
 * grammar for names, URNs and filters. A plain path is parsed as the filter
 * `<path> pr`; a value path up to its last `]` (a sub-attribute name holds no
 * `]`, a filter string may). Any fault is `scimType` (invalidPath for a path:
 * RFC 7644 §3.12 says a malformed path, filter part included, is invalidPath).
 */
export function parsePatchPath(text: string, scimType: ScimFaultType): ParsedPath {
  const close = text.lastIndexOf(']');
  const head = close === -1 ? `${text} pr` : text.slice(0, close + 1);
  const tail = close === -1 ? '' : text.slice(close + 1);
  let node: FilterNode;
  try {
    node = parseFilter(head);
  } catch (error) {
    if (!isRosterError(error)) throw error;
    throw scimFault(scimType, `invalid path '${text}': ${error.message}`, error);
  }
  // A head without `]` can only parse to `present`; one ending in `]` to a value path (or and / or, refused).
  const sub = tail === '' ? undefined : SUB_ATTRIBUTE.exec(tail)?.[1];
  if (node.kind === 'present') return split(node.path, text);
  if (node.kind === 'valuePath' && (tail === '' || sub !== undefined)) return split(node.path, text, node.filter, sub);
  throw scimFault(scimType, `invalid path '${text}'`);
}

function split(path: AttributePath, text: string, filter?: FilterNode, sub?: string): ParsedPath {
  const subName = path.subAttribute ?? sub;
  return {
    ...(path.uri === undefined ? {} : { uri: path.uri }),
    name: path.name,
    ...(subName === undefined ? {} : { sub: subName }),
    ...(filter === undefined ? {} : { filter }),
    text,
  };
}

/**
 * Resolves a parsed path against the resource schema, names ignoring case.
 * `within` restricts the search to one extension (keys inside an extension
 * object of a no-path value).
 */
export function resolvePatchPath(schema: ScimResourceSchema, path: ParsedPath, scimType: ScimFaultType, within?: ScimSchema): PatchTarget {
  const owner = findOwner(schema, path, scimType, within);
  const attribute = findAttribute(owner.attributes, path.name);
  if (attribute === undefined) throw scimFault(scimType, `unknown attribute '${path.name}' in '${path.text}'`);
  let sub: ScimAttribute | undefined;
  if (path.sub !== undefined) {
    sub = findAttribute(attribute.subAttributes, path.sub);
    if (sub === undefined) throw scimFault(scimType, `attribute '${attribute.name}' has no sub-attribute '${path.sub}'`);
  }
  if (path.filter !== undefined && !attribute.multiValued) {
    throw scimFault(scimType, `'${path.text}': a filter needs a multi-valued attribute, '${attribute.name}' is single-valued`);
  }
  return {
    ...(owner === schema.core ? {} : { extension: owner }),
    attribute,
    ...(sub === undefined ? {} : { sub }),
    ...(path.filter === undefined ? {} : { filter: path.filter }),
    text: path.text,
  };
}

function findOwner(schema: ScimResourceSchema, path: ParsedPath, scimType: ScimFaultType, within?: ScimSchema): ScimSchema {
  const schemas = within === undefined ? schemasOf(schema) : [within];
  if (path.uri !== undefined) {
    const owner = findSchema(schema, path.uri);
    if (owner === undefined || !schemas.includes(owner)) throw scimFault(scimType, `unknown schema '${path.uri}' in '${path.text}'`);
    return owner;
  }
  const owner = schemas.find((candidate) => findAttribute(candidate.attributes, path.name) !== undefined);
  if (owner === undefined) throw scimFault(scimType, `unknown attribute '${path.name}' in '${path.text}'`);
  return owner;
}

/** The extension whose URN is exactly `text` (a path or value key naming a whole extension). */
export function extensionNamed(schema: ScimResourceSchema, text: string): ScimSchema | undefined {
  const owner = findSchema(schema, text);
  return owner === schema.core ? undefined : owner;
}
