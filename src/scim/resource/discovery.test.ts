import { describe, expect, it } from 'vitest';
import { resourceTypeDocument, resourceTypesDocument, schemaDocument, schemasDocument, serviceProviderConfig } from './discovery.js';
import { createScimRegistry } from './registry.js';
import { CORE_GROUP_SCHEMA_ID, CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID } from './schemas.js';
import type { ScimCapabilities } from './types.js';

const BASE = 'https://roster.example.com/scim/v2';
const ACME = 'urn:example:acme:2.0:User';
const registry = createScimRegistry([{ id: ACME, name: 'Acme', required: true, attributes: [{ name: 'badge', type: 'reference', referenceTypes: ['uri'] }] }]);
const CAPABILITIES: ScimCapabilities = {
  patch: true, bulk: { maxOperations: 1000, maxPayloadSize: 1_048_576 }, filter: { maxResults: 200 }, changePassword: false, sort: true, etag: true,
};

type Json = Record<string, unknown>;
const ATTRIBUTE_KEYS = ['name', 'type', 'multiValued', 'description', 'required', 'canonicalValues', 'caseExact', 'mutability', 'returned', 'uniqueness', 'referenceTypes', 'subAttributes'];

/** Checks an attribute representation against RFC 7643 §7 and returns how many it checked. */
function checkAttribute(attribute: Json, nested: boolean): number {
  expect(Object.keys(attribute).every((key) => ATTRIBUTE_KEYS.includes(key)), JSON.stringify(attribute)).toBe(true);
  expect(attribute['name']).toMatch(/^([A-Za-z][\w-]*|\$ref)$/);
  expect(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary']).toContain(attribute['type']);
  for (const key of ['multiValued', 'required', 'caseExact']) expect(typeof attribute[key]).toBe('boolean');
  expect(['readOnly', 'readWrite', 'immutable', 'writeOnly']).toContain(attribute['mutability']);
  expect(['always', 'never', 'default', 'request']).toContain(attribute['returned']);
  expect(['none', 'server', 'global']).toContain(attribute['uniqueness']);
  if (attribute['description'] !== undefined) expect(typeof attribute['description']).toBe('string');
  if (attribute['type'] === 'reference') expect(Array.isArray(attribute['referenceTypes'])).toBe(true);
  if (attribute['canonicalValues'] !== undefined) expect(Array.isArray(attribute['canonicalValues'])).toBe(true);
  const subs = attribute['subAttributes'] as Json[] | undefined;
  expect(subs !== undefined).toBe(attribute['type'] === 'complex');
  if (subs !== undefined) expect(nested).toBe(false);
  return 1 + (subs ?? []).reduce((sum, sub) => sum + checkAttribute(sub, true), 0);
}

describe('serviceProviderConfig (RFC 7643 §5)', () => {
  it('tells what the server supports, in the RFC shape', () => {
    expect(serviceProviderConfig({ ...CAPABILITIES, documentationUri: 'https://docs.example.com/scim' }, `${BASE}/`)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      documentationUri: 'https://docs.example.com/scim',
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
      filter: { supported: true, maxResults: 200 },
      pagination: { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 200, maxPageSize: 200, cursorTimeout: 3600 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Authentication scheme using the OAuth Bearer Token Standard',
          specUri: 'https://www.rfc-editor.org/info/rfc6750', primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
    });
    expect(serviceProviderConfig(CAPABILITIES, BASE)).not.toHaveProperty('documentationUri');
  });
});

describe('resource types (RFC 7643 §6)', () => {
  it('describes User with its extensions, and Group', () => {
    const user = registry.resourceType('User');
    expect(user).toBeDefined();
    if (user === undefined) return;
    expect(resourceTypeDocument(user, BASE)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: CORE_USER_SCHEMA_ID,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_ID, required: false }, { schema: ACME, required: true }],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    });
  });

  it('lists every type in a ListResponse', () => {
    const list = resourceTypesDocument(registry, BASE);
    expect(list).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 2, itemsPerPage: 2, startIndex: 1 });
    const resources = list['Resources'] as Json[];
    expect(resources.map((type) => [type['name'], type['schema'], type['schemaExtensions']])).toEqual([
      ['User', CORE_USER_SCHEMA_ID, [{ schema: ENTERPRISE_USER_SCHEMA_ID, required: false }, { schema: ACME, required: true }]],
      ['Group', CORE_GROUP_SCHEMA_ID, []],
    ]);
  });
});

describe('schemas (RFC 7643 §7, §8.7.1)', () => {
  const list = schemasDocument(registry, BASE);
  const resources = list['Resources'] as Json[];
  const byId = (id: string) => resources.find((schema) => schema['id'] === id) as Json;

  it('lists every schema in a ListResponse, each with its location', () => {
    expect(list).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 4, startIndex: 1 });
    expect(resources.map((schema) => schema['id'])).toEqual([CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, ACME, CORE_GROUP_SCHEMA_ID]);
    expect(byId(ENTERPRISE_USER_SCHEMA_ID)['meta']).toEqual({ resourceType: 'Schema', location: `${BASE}/Schemas/${ENTERPRISE_USER_SCHEMA_ID}` });
    expect(byId(CORE_USER_SCHEMA_ID)).toMatchObject({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'], name: 'User', description: 'User Account' });
  });

  it('gives every attribute all its characteristics, in the §7 shape', () => {
    const counted = resources.reduce((sum, schema) => sum + (schema['attributes'] as Json[]).reduce((n, attribute) => n + checkAttribute(attribute, false), 0), 0);
    // User 21 + 47 sub-attributes, Enterprise 6 + 3, Acme 1, Group 2 + 4.
    expect(counted).toBe(84);
  });

  it('lists the User attributes of §8.7.1, without the common attributes', () => {
    expect((byId(CORE_USER_SCHEMA_ID)['attributes'] as Json[]).map((attribute) => attribute['name'])).toEqual([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active',
      'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates',
    ]);
    expect((byId(CORE_GROUP_SCHEMA_ID)['attributes'] as Json[]).map((attribute) => attribute['name'])).toEqual(['displayName', 'members']);
  });

  it('spells out userName, password and groups as §8.7.1 does', () => {
    const attributes = byId(CORE_USER_SCHEMA_ID)['attributes'] as Json[];
    const named = (name: string) => attributes.find((attribute) => attribute['name'] === name) as Json;
    expect(named('userName')).toMatchObject({
      type: 'string', multiValued: false, required: true, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'server',
    });
    expect(named('password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(named('groups')).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readOnly' });
    expect((named('groups')['subAttributes'] as Json[]).find((sub) => sub['name'] === '$ref')).toMatchObject({ type: 'reference', referenceTypes: ['User', 'Group'] });
    expect(named('profileUrl')).toMatchObject({ referenceTypes: ['external'] });
  });

  it('shows a custom extension as configured', () => {
    const acme = registry.schemas.find((schema) => schema.id === ACME);
    expect(acme).toBeDefined();
    if (acme === undefined) return;
    expect(schemaDocument(acme, BASE)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      meta: { resourceType: 'Schema', location: `${BASE}/Schemas/${ACME}` },
      id: ACME,
      name: 'Acme',
      attributes: [
        { name: 'badge', type: 'reference', multiValued: false, required: false, caseExact: false, referenceTypes: ['uri'], mutability: 'readWrite', returned: 'default', uniqueness: 'none' },
      ],
    });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(list))).toEqual(list);
  });
});
