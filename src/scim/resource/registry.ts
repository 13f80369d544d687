import { RosterError } from '../../core/errors.js';
import type { ScimAttribute, ScimSchema } from '../filter/schema.js';
import { ATTRIBUTE_NAME, CORE_GROUP_SCHEMA_ID, CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, GROUP_SCHEMA, USER_SCHEMA } from './schemas.js';
import type { ScimExtensionConfig, ScimRegistry, ScimResourceType, ScimSchemaAttributeConfig } from './types.js';

/** A schema URN: `urn:` NID `:` NSS (RFC 8141, loosely): no spaces, no trailing colon. */
const SCHEMA_URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[\x21-\x7e]*[^:\s]$/;
const TYPES: ReadonlySet<string> = new Set(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex']);
const KNOWN_IDS = [CORE_USER_SCHEMA_ID, CORE_GROUP_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID];

const BASE_TYPES: readonly ScimResourceType[] = [
  { name: 'User', endpoint: '/Users', description: 'User Account', schema: USER_SCHEMA, requiredExtensions: new Set(), uniqueAttribute: 'userName' },
  { name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP_SCHEMA, requiredExtensions: new Set(), uniqueAttribute: 'displayName' },
];

/**
 * The resource types Roster serves: User (with the Enterprise User extension,
 * optional) and Group, plus custom extensions from `scim.server.extensions`,
 * each attached to its resource type. A faulty extension is refused at load
 * with RosterError('config.invalid') naming its key path.
 */
export function createScimRegistry(extensions: readonly ScimExtensionConfig[] = []): ScimRegistry {
  const seen = new Set(KNOWN_IDS.map((id) => id.toLowerCase()));
  const added = new Map<string, { schemas: ScimSchema[]; required: string[] }>();
  extensions.forEach((config, index) => {
    const where = `scim.server.extensions[${index}]`;
    const schema = extensionSchema(config, where);
    if (seen.has(schema.id.toLowerCase())) throw invalid(where, `schema id '${schema.id}' is already in use`);
    seen.add(schema.id.toLowerCase());
    const typeName = config.resourceType ?? 'User';
    const base = BASE_TYPES.find((type) => type.name.toLowerCase() === typeName.toLowerCase());
    if (base === undefined) throw invalid(`${where}.resourceType`, `unknown resource type '${typeName}' (User or Group)`);
    const entry = added.get(base.name) ?? { schemas: [], required: [] };
    entry.schemas.push(schema);
    if (config.required === true) entry.required.push(schema.id);
    added.set(base.name, entry);
  });
  const resourceTypes = BASE_TYPES.map((base) => withExtensions(base, added.get(base.name)));
  const schemas = resourceTypes.flatMap((type) => [type.schema.core, ...(type.schema.extensions ?? [])]);
  const byKey = new Map<string, ScimResourceType>();
  for (const type of resourceTypes) {
    byKey.set(type.name.toLowerCase(), type);
    byKey.set(type.endpoint.slice(1).toLowerCase(), type);
  }
  return Object.freeze({ resourceTypes, schemas, resourceType: (nameOrEndpoint: string) => byKey.get(nameOrEndpoint.toLowerCase()) });
}

function withExtensions(base: ScimResourceType, extra: { schemas: ScimSchema[]; required: string[] } | undefined): ScimResourceType {
  if (extra === undefined) return base;
  return {
    ...base,
    schema: { core: base.schema.core, extensions: [...(base.schema.extensions ?? []), ...extra.schemas] },
    requiredExtensions: new Set([...base.requiredExtensions, ...extra.required]),
  };
}

function extensionSchema(config: ScimExtensionConfig, where: string): ScimSchema {
  if (typeof config.id !== 'string' || !SCHEMA_URN.test(config.id)) throw invalid(`${where}.id`, `'${String(config.id)}' is not a schema URN (urn:…)`);
  if (!Array.isArray(config.attributes) || config.attributes.length === 0) throw invalid(`${where}.attributes`, 'an extension needs at least one attribute');
  return {
    id: config.id,
    ...(config.name === undefined ? {} : { name: config.name }),
    ...(config.description === undefined ? {} : { description: config.description }),
    attributes: attributeList(config.attributes, `${where}.attributes`, false),
  };
}

function attributeList(configs: readonly ScimSchemaAttributeConfig[], where: string, nested: boolean): ScimAttribute[] {
  const names = new Set<string>();
  return configs.map((config, index) => {
    const path = `${where}[${index}]`;
    if (typeof config.name !== 'string' || !ATTRIBUTE_NAME.test(config.name)) {
      throw invalid(`${path}.name`, `'${String(config.name)}' is not an attribute name (RFC 7643 §2.1: a letter, then letters, digits, '-' or '_')`);
    }
    const key = config.name.toLowerCase();
    if (names.has(key)) throw invalid(`${path}.name`, `attribute '${config.name}' is defined twice (names are case-insensitive)`);
    names.add(key);
    return attributeOf(config, path, nested);
  });
}

function attributeOf(config: ScimSchemaAttributeConfig, path: string, nested: boolean): ScimAttribute {
  const { subAttributes, ...rest } = config;
  if (!TYPES.has(config.type)) throw invalid(`${path}.type`, `'${String(config.type)}' is not an RFC 7643 §2.3 type`);
  if (config.type === 'complex') {
    if (nested) throw invalid(`${path}.type`, 'a sub-attribute cannot be complex (RFC 7643 §2.3.8)');
    if (subAttributes === undefined || subAttributes.length === 0) throw invalid(`${path}.subAttributes`, 'a complex attribute needs sub-attributes');
  } else if (subAttributes !== undefined) {
    throw invalid(`${path}.subAttributes`, `only a complex attribute has sub-attributes ('${config.name}' is ${config.type})`);
  }
  return {
    ...rest,
    multiValued: config.multiValued ?? false,
    caseExact: config.caseExact ?? false,
    ...(subAttributes === undefined ? {} : { subAttributes: attributeList(subAttributes, `${path}.subAttributes`, true) }),
  };
}

function invalid(path: string, message: string): RosterError {
  return new RosterError('config.invalid', `${path}: ${message}`, { details: { path } });
}
