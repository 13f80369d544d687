import type { SourceConfig, SourceFields } from '../config/types.js';
import { isRosterError, RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { ENTERPRISE_USER_SCHEMA_ID, type ScimResourceSchema } from '../scim/filter/index.js';
import {
  compileElementFilter, createScimRegistry, parsePatchPath, resolvePatchPath, type ElementPredicate, type PatchTarget, type ScimExtensionConfig,
} from '../scim/resource/index.js';
import type { ScimResource, ScimStore } from '../store/types.js';
import { BatchBuilder } from './batch.js';
import { isPlainObject } from './values.js';

/**
 * The inbound SCIM source: Users that an identity provider wrote to
 * /scim/v2 become source records. Each record field is read from a SCIM
 * attribute path (`name.givenName`, `urn:…:enterprise:2.0:User:employeeNumber`,
 * `emails[type eq "work"].value`); alternatives separated by `|` are tried in
 * order until one has a value.
 */

/** The User resource type's schema: core, Enterprise User and the configured extensions of type User. */
export function scimUserSchema(extensions: readonly ScimExtensionConfig[] = []): ScimResourceSchema {
  const user = createScimRegistry(extensions).resourceType('User');
  if (user === undefined) throw new RosterError('internal', 'the SCIM registry has no User resource type');
  return user.schema;
}

/** Record field -> SCIM path, used for every field the source's `attributes` do not name. */
export function defaultScimAttributes(fields: SourceFields): Record<string, string> {
  return {
    userName: 'userName',
    externalId: 'externalId',
    givenName: 'name.givenName',
    familyName: 'name.familyName',
    displayName: 'displayName',
    email: 'emails[type eq "work"].value | emails.value',
    title: 'title',
    department: `${ENTERPRISE_USER_SCHEMA_ID}:department`,
    employeeNumber: `${ENTERPRISE_USER_SCHEMA_ID}:employeeNumber`,
    [fields.manager]: `${ENTERPRISE_USER_SCHEMA_ID}:manager.value`,
    [fields.status]: 'active',
  };
}

/** The status an inactive User (`active: false`) gets unless the source's `disabledStatus` says otherwise: a terminated status by default. */
export const DEFAULT_INACTIVE_STATUS = 'inactive';

/** One mapped path, resolved against the User schema: attribute, maybe a filter over its elements, maybe a sub-attribute. */
export interface ScimPath {
  readonly text: string;
  readonly target: PatchTarget;
  readonly select?: ElementPredicate;
}

export interface ScimMapping {
  readonly sourceId: string;
  readonly key: string;
  readonly fields: SourceFields;
  /** Record field -> alternatives, first with a value wins. */
  readonly attributes: ReadonlyMap<string, readonly ScimPath[]>;
  readonly inactiveStatus: string;
}

function invalidPath(text: string, reason: string, cause?: unknown): RosterError {
  return new RosterError('config.invalid', `invalid SCIM attribute path '${text}': ${reason}`, { cause });
}

/** `a | b`: alternatives, split outside double-quoted strings. */
function alternatives(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\' && quoted) {
      current += char + (text[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === '|' && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  return [...parts, current.trim()];
}

function parseEach<T>(text: string, parse: (part: string) => T): T[] {
  return alternatives(text).map((part) => {
    if (part === '') throw invalidPath(text, 'empty path');
    try {
      return parse(part);
    } catch (error) {
      if (!isRosterError(error)) throw error;
      throw invalidPath(part, error.message.replace(`'${part}': `, ''), error);
    }
  });
}

/** Syntax only (no schema at hand: the zod schema of a source); throws RosterError('config.invalid'). */
export function checkScimPathSyntax(text: string): void {
  parseEach(text, (part) => parsePatchPath(part, 'invalidPath'));
}

/**
 * Parses mapped paths with the PATCH path grammar of src/scim/resource/ (one
 * grammar for paths and filters) and resolves them against the User schema,
 * so a misspelt attribute is refused at load. Throws RosterError('config.invalid').
 */
export function parseScimPaths(text: string, schema: ScimResourceSchema): ScimPath[] {
  return parseEach(text, (part) => {
    const target = resolvePatchPath(schema, parsePatchPath(part, 'invalidPath'), 'invalidPath');
    return { text: part, target, ...(target.filter === undefined ? {} : { select: compileElementFilter(target.filter, target.attribute) }) };
  });
}

/**
 * The mapping of a `type: scim` source: its `attributes` over the defaults,
 * resolved against `schema` (the User resource type, with the configured
 * extensions). Throws RosterError('config.invalid') on a bad path.
 */
export function scimMapping(source: SourceConfig, schema: ScimResourceSchema): ScimMapping {
  const written = { ...defaultScimAttributes(source.fields), ...source.attributes };
  const attributes = new Map(Object.entries(written).map(([field, text]) => [field, parseScimPaths(text, schema)] as const));
  return { sourceId: source.id, key: source.key, fields: source.fields, attributes, inactiveStatus: source.disabledStatus ?? DEFAULT_INACTIVE_STATUS };
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** A member by name ignoring case: stored data has canonical names, and this costs little to be sure of. */
function member(value: unknown, name: string): unknown {
  if (!isPlainObject(value)) return undefined;
  if (Object.hasOwn(value, name)) return value[name];
  const found = Object.keys(value).find((key) => same(key, name));
  return found === undefined ? undefined : value[found];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function isPrimary(element: unknown): boolean {
  const primary = member(element, 'primary');
  return primary === true || (typeof primary === 'string' && same(primary, 'true'));
}

/** The value a path reads: of a multi-valued attribute, the primary selected element, else the first. */
export function readScimPath(data: Readonly<Record<string, unknown>>, path: ScimPath): string | undefined {
  const { extension, attribute, sub } = path.target;
  let value = member(extension === undefined ? data : member(data, extension.id), attribute.name);
  if (Array.isArray(value)) {
    const candidates = path.select === undefined ? value : value.filter(path.select);
    value = candidates.find(isPrimary) ?? candidates[0];
  }
  if (sub !== undefined) value = member(value, sub.name);
  const result = text(value)?.trim();
  return result === '' ? undefined : result;
}

function isActivePath(path: ScimPath): boolean {
  const { extension, attribute, sub, filter } = path.target;
  return extension === undefined && attribute.name === 'active' && sub === undefined && filter === undefined;
}

/** `active` as a status: true (or absent, RFC 7643 leaves it to the server) is 'active'; false, or Entra's "False", is the inactive status. */
function activeStatus(data: Readonly<Record<string, unknown>>, path: ScimPath, mapping: ScimMapping): string {
  const value = readScimPath(data, path);
  return value !== undefined && same(value, 'false') ? mapping.inactiveStatus : 'active';
}

/**
 * A stored User as record attributes (pure). Every mapped field is present
 * ('' without a value) so a value the IdP cleared clears, and so is the
 * end-date field, so a User created again after a delete is not still
 * carrying the termination date. The manager field holds the value as sent
 * (the manager's SCIM id); scimUsersToBatch turns it into a key.
 */
export function scimUserToRecord(resource: Pick<ScimResource, 'data'>, mapping: ScimMapping): Record<string, string> {
  const values: Record<string, string> = { [mapping.fields.endDate]: '' };
  for (const [field, paths] of mapping.attributes) {
    const active = paths.find(isActivePath);
    values[field] = active !== undefined ? activeStatus(resource.data, active, mapping) : firstValue(resource.data, paths) ?? '';
  }
  return values;
}

function firstValue(data: Readonly<Record<string, unknown>>, paths: readonly ScimPath[]): string | undefined {
  for (const path of paths) {
    const value = readScimPath(data, path);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The SCIM id of the manager a User names, if the mapping has a manager field. */
export function managerIdOf(resource: Pick<ScimResource, 'data'>, mapping: ScimMapping): string | undefined {
  return firstValue(resource.data, mapping.attributes.get(mapping.fields.manager) ?? []);
}

/** The correlation key of a stored User, or undefined when the mapped key has no value. */
export function scimUserKey(resource: Pick<ScimResource, 'data'>, mapping: ScimMapping): string | undefined {
  return firstValue(resource.data, mapping.attributes.get(mapping.key) ?? []);
}

/** What a batch needs of one User: its record values (manager as sent), and its id and userName for messages. */
export interface ScimUserRow {
  readonly id: string;
  readonly userName: string;
  readonly values: Readonly<Record<string, string>>;
}

export function scimUserRow(resource: ScimResource, mapping: ScimMapping): ScimUserRow {
  return { id: resource.id, userName: text(member(resource.data, 'userName')) ?? '?', values: scimUserToRecord(resource, mapping) };
}

/**
 * Users -> a batch. A manager that `managerKeyOf` knows (the SCIM id of a
 * stored User) becomes that User's key; another value is kept as sent (some
 * IdPs send the manager's employee number). A User without a key is a
 * problem naming its id (and keeps anyone from being treated as gone, as a
 * keyless row of a file does).
 */
export function scimUsersToBatch(
  rows: readonly ScimUserRow[],
  mapping: ScimMapping,
  managerKeyOf: (id: string) => string | undefined,
  complete: boolean,
): SourceBatch {
  const builder = new BatchBuilder({ sourceId: mapping.sourceId, key: mapping.key, dateFields: [mapping.fields.startDate, mapping.fields.endDate] });
  const managerField = mapping.fields.manager;
  rows.forEach((row, index) => {
    if (!row.values[mapping.key]) {
      const where = (mapping.attributes.get(mapping.key) ?? []).map((p) => p.text).join(' | ') || 'unmapped';
      builder.reject(index + 1, `User ${row.id} (userName ${row.userName}) has no value for the key "${mapping.key}" (${where})`);
      return;
    }
    const manager = row.values[managerField];
    builder.add(index + 1, manager ? { ...row.values, [managerField]: managerKeyOf(manager) ?? manager } : row.values);
  });
  return builder.build(complete);
}

/**
 * A full read of the source: every stored User, as a complete batch (unless
 * the source says `complete: false`), so a User deleted from /scim/v2 is a
 * person gone from the source and the lifecycle's missing rules and
 * thresholds apply, as for a file. Only the flat rows are kept while
 * reading, not the resources.
 */
export async function readScimSource(source: SourceConfig, scim: Pick<ScimStore, 'iterate'>, schema: ScimResourceSchema): Promise<SourceBatch> {
  const mapping = scimMapping(source, schema);
  const rows: ScimUserRow[] = [];
  const keys = new Map<string, string>();
  for await (const resource of scim.iterate('User')) {
    const row = scimUserRow(resource, mapping);
    rows.push(row);
    const key = row.values[mapping.key];
    if (key) keys.set(row.id, key);
  }
  return scimUsersToBatch(rows, mapping, (id) => keys.get(id), source.complete);
}
