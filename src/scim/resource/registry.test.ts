import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { createScimRegistry } from './registry.js';
import { CORE_GROUP_SCHEMA_ID, CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID } from './schemas.js';
import type { ScimExtensionConfig, ScimSchemaAttributeConfig } from './types.js';

const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
const acme = (attributes: readonly ScimSchemaAttributeConfig[], more: Partial<ScimExtensionConfig> = {}): ScimExtensionConfig => ({ id: ACME, attributes, ...more });

function refused(extensions: readonly ScimExtensionConfig[]): { message: string; path: unknown } {
  try {
    createScimRegistry(extensions);
  } catch (error) {
    if (!isRosterError(error, 'config.invalid')) throw error;
    return { message: error.message, path: error.details?.['path'] };
  }
  throw new Error('accepted');
}

describe('createScimRegistry', () => {
  it('serves User (enterprise extension optional) and Group', () => {
    const registry = createScimRegistry();
    expect(registry.resourceTypes.map((type) => [type.name, type.endpoint, type.uniqueAttribute])).toEqual([
      ['User', '/Users', 'userName'],
      ['Group', '/Groups', 'displayName'],
    ]);
    const user = registry.resourceType('User');
    expect(user?.schema.extensions?.map((schema) => schema.id)).toEqual([ENTERPRISE_USER_SCHEMA_ID]);
    expect(user?.requiredExtensions.size).toBe(0);
    expect(registry.schemas.map((schema) => schema.id)).toEqual([CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, CORE_GROUP_SCHEMA_ID]);
  });

  it('finds a type by name or endpoint segment, case-insensitively', () => {
    const registry = createScimRegistry();
    expect(registry.resourceType('users')?.name).toBe('User');
    expect(registry.resourceType('GROUP')?.name).toBe('Group');
    expect(registry.resourceType('Devices')).toBeUndefined();
    expect(registry.resourceType('__proto__')).toBeUndefined();
  });

  it('attaches custom extensions to their resource type, with defaults filled', () => {
    const registry = createScimRegistry([
      acme([{ name: 'badge', type: 'string' }, { name: 'Sites', type: 'complex', multiValued: true, subAttributes: [{ name: 'code', type: 'string', caseExact: true }] }], { required: true, name: 'Acme' }),
      { id: 'urn:example:acme:2.0:Group', resourceType: 'group', attributes: [{ name: 'costCode', type: 'integer' }] },
    ]);
    const user = registry.resourceType('User');
    expect(user?.schema.extensions?.map((schema) => schema.id)).toEqual([ENTERPRISE_USER_SCHEMA_ID, ACME]);
    expect(user?.requiredExtensions.has(ACME)).toBe(true);
    const badge = user?.schema.extensions?.[1]?.attributes[0];
    expect(badge).toMatchObject({ name: 'badge', multiValued: false, caseExact: false });
    expect(user?.schema.extensions?.[1]?.attributes[1]?.subAttributes?.[0]).toMatchObject({ name: 'code', caseExact: true, multiValued: false });
    expect(registry.resourceType('Groups')?.schema.extensions?.[0]?.id).toBe('urn:example:acme:2.0:Group');
    expect(registry.schemas.map((schema) => schema.id)).toContain('urn:example:acme:2.0:Group');
  });

  it('refuses an extension id that clashes, case-insensitively', () => {
    expect(refused([{ id: ENTERPRISE_USER_SCHEMA_ID.toUpperCase().replace('URN', 'urn'), attributes: [{ name: 'a', type: 'string' }] }]).message).toMatch(/already in use/);
    expect(refused([{ id: CORE_GROUP_SCHEMA_ID, attributes: [{ name: 'a', type: 'string' }] }]).message).toMatch(/already in use/);
    expect(refused([acme([{ name: 'a', type: 'string' }]), acme([{ name: 'b', type: 'string' }])]).path).toBe('scim.server.extensions[1]');
  });

  it('refuses duplicated attribute names, case-insensitively, at both levels', () => {
    expect(refused([acme([{ name: 'badge', type: 'string' }, { name: 'BADGE', type: 'string' }])]).path).toBe('scim.server.extensions[0].attributes[1].name');
    const subs = refused([acme([{ name: 'c', type: 'complex', subAttributes: [{ name: 'x', type: 'string' }, { name: 'X', type: 'string' }] }])]);
    expect(subs.path).toBe('scim.server.extensions[0].attributes[0].subAttributes[1].name');
  });

  it.each(['__proto__', '1st', 'a b', 'a.b', '$ref', '', 'a:b'])('refuses the attribute name %j', (name) => {
    expect(refused([acme([{ name, type: 'string' }])]).message).toMatch(/not an attribute name/);
  });

  it('refuses sub-attributes on a non-complex attribute, nested complex and empty complex', () => {
    expect(refused([acme([{ name: 'a', type: 'string', subAttributes: [{ name: 'b', type: 'string' }] }])]).message).toMatch(/only a complex/);
    expect(refused([acme([{ name: 'a', type: 'complex', subAttributes: [{ name: 'b', type: 'complex', subAttributes: [{ name: 'c', type: 'string' }] }] }])]).message).toMatch(/cannot be complex/);
    expect(refused([acme([{ name: 'a', type: 'complex' }])]).message).toMatch(/needs sub-attributes/);
  });

  it('refuses an unknown resource type, a non-URN id, no attributes and an unknown type', () => {
    expect(refused([acme([{ name: 'a', type: 'string' }], { resourceType: 'Device' })]).path).toBe('scim.server.extensions[0].resourceType');
    expect(refused([{ id: 'acme', attributes: [{ name: 'a', type: 'string' }] }]).path).toBe('scim.server.extensions[0].id');
    expect(refused([{ id: 'urn:acme:x:', attributes: [{ name: 'a', type: 'string' }] }]).path).toBe('scim.server.extensions[0].id');
    expect(refused([acme([])]).path).toBe('scim.server.extensions[0].attributes');
    expect(refused([acme([{ name: 'a', type: 'binary' as 'string' }])]).path).toBe('scim.server.extensions[0].attributes[0].type');
  });
});
