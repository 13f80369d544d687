import { describe, expect, it } from 'vitest';
import type { ScimAttribute } from '../filter/schema.js';
import {
  ATTRIBUTE_NAME, CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, findAttribute, GROUP_SCHEMA, mutabilityOf, own,
  qualifyingSchema, returnedOf, schemasOf, USER_SCHEMA,
} from './schemas.js';

const user = (name: string): ScimAttribute => {
  const found = findAttribute(USER_SCHEMA.core.attributes, name);
  if (found === undefined) throw new Error(`no ${name}`);
  return found;
};
const every = (list: readonly ScimAttribute[]): ScimAttribute[] => list.flatMap((a) => [a, ...(a.subAttributes ?? [])]);

describe('standard schemas (RFC 7643 §8.7.1)', () => {
  it('id is read-only, always returned, case-exact and unique', () => {
    expect(user('id')).toMatchObject({ caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' });
  });

  it('userName is required and unique per server; schemas always returned', () => {
    expect(user('userName')).toMatchObject({ required: true, uniqueness: 'server', caseExact: false });
    expect(user('schemas')).toMatchObject({ returned: 'always', multiValued: true });
  });

  it('password is write-only and never returned', () => {
    expect(mutabilityOf(user('password'))).toBe('writeOnly');
    expect(returnedOf(user('password'))).toBe('never');
  });

  it('groups and meta are read-only down to their sub-attributes', () => {
    for (const name of ['groups', 'meta']) {
      const attribute = user(name);
      expect(mutabilityOf(attribute)).toBe('readOnly');
      expect(attribute.subAttributes?.map(mutabilityOf)).toEqual(attribute.subAttributes?.map(() => 'readOnly'));
    }
  });

  it('multi-valued attributes carry their canonical types', () => {
    expect(findAttribute(user('emails').subAttributes, 'type')?.canonicalValues).toEqual(['work', 'home', 'other']);
    expect(findAttribute(user('ims').subAttributes, 'TYPE')?.canonicalValues).toContain('xmpp');
    expect(findAttribute(user('groups').subAttributes, '$ref')?.referenceTypes).toEqual(['User', 'Group']);
  });

  it('Group displayName is required; members sub-attributes are immutable', () => {
    const displayName = findAttribute(GROUP_SCHEMA.core.attributes, 'displayName');
    expect(displayName).toMatchObject({ required: true });
    const members = findAttribute(GROUP_SCHEMA.core.attributes, 'members');
    expect(members?.subAttributes?.filter((sub) => sub.mutability === 'immutable').map((sub) => sub.name)).toEqual(['value', '$ref', 'type']);
  });

  it('every attribute has a description and a valid name', () => {
    const all = [...schemasOf(USER_SCHEMA), ...schemasOf(GROUP_SCHEMA)].flatMap((schema) => every(schema.attributes));
    expect(all.length).toBeGreaterThan(80);
    for (const attribute of all) {
      expect(attribute.description, attribute.name).toMatch(/\w/);
      expect(attribute.name === '$ref' || ATTRIBUTE_NAME.test(attribute.name), attribute.name).toBe(true);
    }
  });

  it('enterprise manager.displayName is read-only', () => {
    const manager = findAttribute(USER_SCHEMA.extensions?.[0]?.attributes, 'manager');
    expect(mutabilityOf(findAttribute(manager?.subAttributes, 'displayName') as ScimAttribute)).toBe('readOnly');
  });
});

describe('schema helpers', () => {
  it('finds attributes case-insensitively', () => {
    expect(findAttribute(USER_SCHEMA.core.attributes, 'USERNAME')?.name).toBe('userName');
    expect(findAttribute(USER_SCHEMA.core.attributes, 'nope')).toBeUndefined();
  });

  it('qualifies names by the longest matching URN', () => {
    expect(qualifyingSchema(USER_SCHEMA, `${ENTERPRISE_USER_SCHEMA_ID.toUpperCase()}:department`)?.id).toBe(ENTERPRISE_USER_SCHEMA_ID);
    expect(qualifyingSchema(USER_SCHEMA, `${CORE_USER_SCHEMA_ID}:userName`)?.id).toBe(CORE_USER_SCHEMA_ID);
    expect(qualifyingSchema(USER_SCHEMA, ENTERPRISE_USER_SCHEMA_ID)).toBeUndefined();
    expect(qualifyingSchema(USER_SCHEMA, 'urn:other:User:x')).toBeUndefined();
  });

  it('reads own properties only', () => {
    expect(own({}, 'constructor')).toBeUndefined();
    expect(own({ constructor: 'x' }, 'constructor')).toBe('x');
    expect(own(undefined, 'a')).toBeUndefined();
  });

  it('RFC 7643 ATTRNAME', () => {
    expect(['a', 'emails', 'x-1_b'].every((name) => ATTRIBUTE_NAME.test(name))).toBe(true);
    expect(['', '1a', '_a', '__proto__', 'a b', 'a.b', '$ref', 'a:b'].some((name) => ATTRIBUTE_NAME.test(name))).toBe(false);
  });
});
