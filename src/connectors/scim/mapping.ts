import { RosterError } from '../../core/errors.js';
import type { Attributes } from '../../core/types.js';
import { attributePath, elementPath, parsePath, readPath, writePath, type AttributePath } from './path.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

export type ScimResource = Record<string, unknown>;

/** One PATCH operation (RFC 7644 §3.5.2). */
export interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

/** SCIM booleans arrive as true, "true" or "True" depending on the server. */
export function scimBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}

/**
 * Roster account attributes <-> SCIM User resources, through the target's
 * mapping (Roster attribute -> SCIM path). `enabled` is the `active` attribute.
 */
export class UserMapping {
  readonly #paths: ReadonlyMap<string, AttributePath>;
  readonly #schemas: readonly string[];
  readonly #targetId: string;

  constructor(mapping: Readonly<Record<string, string>>, extensions: readonly string[], targetId: string) {
    const paths = new Map<string, AttributePath>();
    for (const [name, text] of Object.entries(mapping)) {
      const path = parsePath(text);
      if (path === undefined) throw new RosterError('config.invalid', `target ${targetId}: mapping.${name}: ${text} is not a SCIM attribute path`);
      paths.set(name, path);
    }
    this.#paths = paths;
    const used = [...paths.values()].map((p) => p.schema).filter((s): s is string => s !== undefined);
    this.#schemas = [...new Set([USER_SCHEMA, ...extensions, ...used])];
    this.#targetId = targetId;
  }

  /** The SCIM attribute value a spec gives for a top-level SCIM attribute (userName, externalId). */
  scimValue(resource: ScimResource, attribute: 'userName' | 'externalId' | 'emails'): string | undefined {
    const path = parsePath(attribute === 'emails' ? 'emails.value' : attribute);
    const value = path === undefined ? undefined : readPath(resource, path);
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  /** A body for POST /Users (absent and null attributes are left out). */
  toResource(attributes: Attributes, enabled: boolean): ScimResource {
    const resource: ScimResource = { schemas: [...this.#schemas] };
    for (const [path, value] of this.#pairs(attributes)) if (value !== null && value !== undefined) writePath(resource, path, value);
    resource.active = enabled;
    return resource;
  }

  /** `current` with the attributes (and `active`) applied, for PUT; read-only attributes removed. */
  applyTo(current: ScimResource, attributes: Attributes, enabled?: boolean): ScimResource {
    const { meta: _meta, groups: _groups, ...rest } = structuredClone(current);
    const resource: ScimResource = rest;
    for (const [path, value] of this.#pairs(attributes)) writePath(resource, path, value ?? null);
    if (enabled !== undefined) resource.active = enabled;
    const schemas = Array.isArray(resource.schemas) ? resource.schemas.filter((s): s is string => typeof s === 'string') : [];
    resource.schemas = [...new Set([...schemas, ...this.#schemas])];
    return resource;
  }

  /**
   * PATCH operations setting the attributes. Without `current` they are blind
   * (replace / remove each path); with it, only differences are sent, and a
   * selected element that does not exist yet is added rather than replaced
   * (a replace on it is a 400 noTarget, RFC 7644 §3.5.2.3).
   */
  patchOperations(attributes: Attributes, current?: ScimResource, enabled?: boolean): PatchOperation[] {
    const operations: PatchOperation[] = [];
    for (const [path, raw] of this.#pairs(attributes)) {
      const value = raw ?? null;
      const before = current === undefined ? undefined : readPath(current, path);
      if (current !== undefined && (before ?? null) === value) continue;
      if (value === null) {
        operations.push({ op: 'remove', path: path.selector === undefined ? path.text : elementPath(path) });
      } else if (current !== undefined && path.selector !== undefined && before === undefined && readPath(current, { ...path, sub: undefined }) === undefined) {
        const element: ScimResource = {};
        writePath(element, { ...path, schema: undefined }, value);
        operations.push({ op: 'add', path: attributePath(path), value: element[path.attribute] });
      } else {
        operations.push({ op: 'replace', path: path.text, value });
      }
    }
    if (enabled !== undefined && (current === undefined || scimBoolean(current.active) !== enabled)) {
      operations.push({ op: 'replace', path: 'active', value: enabled });
    }
    return operations;
  }

  /** The Roster attributes and `enabled` of a SCIM User. */
  fromResource(resource: ScimResource): { attributes: Record<string, unknown>; enabled: boolean } {
    const attributes: Record<string, unknown> = {};
    for (const [name, path] of this.#paths) {
      const value = readPath(resource, path);
      if (value !== undefined && value !== null) attributes[name] = value;
    }
    return { attributes, enabled: scimBoolean(resource.active) ?? true };
  }

  /** Each given attribute with its path; an attribute with no mapping is refused, not silently dropped. */
  *#pairs(attributes: Attributes): Iterable<[AttributePath, unknown]> {
    for (const [name, value] of Object.entries(attributes)) {
      const path = this.#paths.get(name);
      if (path === undefined) {
        throw new RosterError('target.rejected', `target ${this.#targetId}: attribute ${name} has no SCIM mapping (add it to connection.mapping)`);
      }
      yield [path, value];
    }
  }
}
