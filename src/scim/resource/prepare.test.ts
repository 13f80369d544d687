import { describe, expect, it } from 'vitest';
import { prepareResource } from './prepare.js';
import { createScimRegistry } from './registry.js';
import { CORE_GROUP_SCHEMA_ID, CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID } from './schemas.js';
import { ACME_EXTENSION, ACME_ID, ENTRA_POST_USER, OKTA_POST_USER, RFC_ENTERPRISE_USER, RFC_GROUP } from './test-fixtures.js';
import { faultOf } from './test-support.js';
import type { ScimResourceType } from './types.js';

const ACME = ACME_ID;
const registry = createScimRegistry([ACME_EXTENSION]);
const USER = registry.resourceType('User') as ScimResourceType;
const GROUP = registry.resourceType('Group') as ScimResourceType;
const user = (body: Record<string, unknown>) => ({ schemas: [CORE_USER_SCHEMA_ID], userName: 'bjensen', ...body });
const prepare = (body: unknown, existing?: Record<string, unknown>) => prepareResource(USER, body, existing === undefined ? {} : { existing });
const dataOf = (body: Record<string, unknown>, existing?: Record<string, unknown>) => prepare(user(body), existing).data;

describe('prepareResource: schemas', () => {
  it('needs the core schema URN in schemas', () => {
    expect(faultOf(() => prepare({ userName: 'a' }))).toMatchObject({ scimType: 'invalidSyntax' });
    expect(faultOf(() => prepare({ schemas: [ENTERPRISE_USER_SCHEMA_ID], userName: 'a' })).message).toMatch(/must include/);
    expect(faultOf(() => prepare({ schemas: CORE_USER_SCHEMA_ID, userName: 'a' })).scimType).toBe('invalidSyntax');
    expect(faultOf(() => prepare({ schemas: [CORE_USER_SCHEMA_ID, 7], userName: 'a' })).scimType).toBe('invalidSyntax');
    expect(faultOf(() => prepareResource(GROUP, { schemas: [CORE_USER_SCHEMA_ID], displayName: 'g' })).scimType).toBe('invalidSyntax');
  });

  it('ignores unknown schema URIs and adds an extension whose data is present', () => {
    const data = prepare({ schemas: ['urn:x:y', CORE_USER_SCHEMA_ID.toUpperCase().replace('URN', 'urn')], userName: 'a', [ENTERPRISE_USER_SCHEMA_ID]: { department: 'Ops' } }).data;
    expect(data['schemas']).toEqual([CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID]);
  });

  it('keeps a listed known extension without data, and puts the schemas in registry order', () => {
    expect(prepare({ schemas: [ACME, ENTERPRISE_USER_SCHEMA_ID, CORE_USER_SCHEMA_ID], userName: 'a' }).data['schemas']).toEqual([
      CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, ACME,
    ]);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, 'x', 3, [], undefined]) expect(faultOf(() => prepare(body)).scimType).toBe('invalidSyntax');
  });
});

describe('prepareResource: names', () => {
  it('maps attribute and sub-attribute names case-insensitively to canonical ones', () => {
    const data = prepare({ SCHEMAS: [CORE_USER_SCHEMA_ID], USERNAME: 'a', Name: { GIVENNAME: 'B' }, emails: [{ VALUE: 'a@x', Primary: true }] }).data;
    expect(data).toEqual({ schemas: [CORE_USER_SCHEMA_ID], userName: 'a', name: { givenName: 'B' }, emails: [{ value: 'a@x', primary: true }] });
  });

  it('reads extension attributes nested and as flat URN-qualified keys, and core ones qualified', () => {
    const data = prepare({
      schemas: [CORE_USER_SCHEMA_ID],
      [`${CORE_USER_SCHEMA_ID}:userName`]: 'a',
      [`${ENTERPRISE_USER_SCHEMA_ID}:department`]: 'Ops',
      [`${ENTERPRISE_USER_SCHEMA_ID.toLowerCase()}:manager.value`]: 'm1',
      [ACME]: { level: 2 },
    }).data;
    expect(data).toEqual({
      schemas: [CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, ACME],
      userName: 'a',
      [ENTERPRISE_USER_SCHEMA_ID]: { department: 'Ops', manager: { value: 'm1' } },
      [ACME]: { level: 2 },
    });
  });

  it('refuses the same attribute given twice', () => {
    expect(faultOf(() => dataOf({ USERNAME: 'b' })).scimType).toBe('invalidSyntax');
    expect(faultOf(() => dataOf({ [ENTERPRISE_USER_SCHEMA_ID]: { department: 'a' }, [`${ENTERPRISE_USER_SCHEMA_ID}:department`]: 'b' })).scimType).toBe('invalidSyntax');
    expect(faultOf(() => dataOf({ [ENTERPRISE_USER_SCHEMA_ID]: { manager: { value: 'a' } }, [`${ENTERPRISE_USER_SCHEMA_ID}:manager.value`]: 'b' })).scimType).toBe('invalidSyntax');
    expect(faultOf(() => dataOf({ name: { givenName: 'a', GivenName: 'b' } })).scimType).toBe('invalidSyntax');
  });

  it('ignores unknown attributes, sub-attributes and schemas (Entra and Okta send them)', () => {
    const data = dataOf({ nickname2: 'x', name: { givenName: 'B', nick: 1 }, 'urn:acme:other:User:x': 1, [`${ENTERPRISE_USER_SCHEMA_ID}:nope`]: 1, [`${ENTERPRISE_USER_SCHEMA_ID}:manager.nope`]: 1 });
    expect(data).toEqual({ schemas: [CORE_USER_SCHEMA_ID], userName: 'bjensen', name: { givenName: 'B' } });
  });

  it('refuses an extension given as something else than an object', () => {
    expect(faultOf(() => dataOf({ [ENTERPRISE_USER_SCHEMA_ID]: 'Ops' })).scimType).toBe('invalidSyntax');
    expect(dataOf({ [ENTERPRISE_USER_SCHEMA_ID]: null })).toEqual({ schemas: [CORE_USER_SCHEMA_ID], userName: 'bjensen' });
  });
});

describe('prepareResource: values', () => {
  it('checks types and coerces Entra "True"/"False" booleans', () => {
    expect(dataOf({ active: 'True' })['active']).toBe(true);
    expect(dataOf({ active: 'false' })['active']).toBe(false);
    expect(faultOf(() => dataOf({ active: 'yes' }))).toMatchObject({ scimType: 'invalidValue' });
    expect(faultOf(() => dataOf({ active: 1 })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ userName: 5 })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ name: 'Barbara' })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ name: { givenName: { a: 1 } } })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ emails: [['a@x']] })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ title: ['a'] })).scimType).toBe('invalidValue');
  });

  it('checks integers, decimals and dateTimes, storing dateTimes normalised', () => {
    const ok = dataOf({ [ACME]: { level: 3, score: 2.5, hired: '2024-03-01T10:00:00+02:00' } })[ACME];
    expect(ok).toEqual({ level: 3, score: 2.5, hired: '2024-03-01T08:00:00.000Z' });
    for (const bad of [{ level: 2.5 }, { level: '2.5' }, { level: 'three' }, { score: '1,5' }, { hired: 'yesterday' }, { hired: 20240301 }]) {
      expect(faultOf(() => dataOf({ [ACME]: bad })).scimType).toBe('invalidValue');
    }
  });

  it('takes numbers spelt as strings, as PATCH does (one rule: values.ts scalarValue)', () => {
    expect(dataOf({ [ACME]: { level: '3', score: '-1.5e1' } })[ACME]).toEqual({ level: 3, score: -15 });
  });

  it('refuses a day that does not exist instead of rolling it over (2026-02-31 is not 3 March)', () => {
    for (const hired of ['2026-02-31', '2026-02-29T00:00:00Z', '2026-04-31T10:00:00+02:00', '2026-00-10']) {
      expect(faultOf(() => dataOf({ [ACME]: { hired } })).scimType).toBe('invalidValue');
    }
    expect(dataOf({ [ACME]: { hired: '2024-02-29' } })[ACME]).toEqual({ hired: '2024-02-29T00:00:00.000Z' });
  });

  it('wraps a single value where an array is expected', () => {
    expect(dataOf({ emails: { value: 'a@x', type: 'work' } })['emails']).toEqual([{ value: 'a@x', type: 'work' }]);
  });

  it('accepts values outside canonicalValues (clients send custom types)', () => {
    expect(dataOf({ emails: [{ value: 'a@x', type: 'Corporate' }] })['emails']).toEqual([{ value: 'a@x', type: 'Corporate' }]);
  });

  it('drops empty values (RFC 7643 §2.5): null, "", [], {} and elements that end up empty', () => {
    const data = dataOf({ title: '', nickName: null, emails: [], name: {}, phoneNumbers: [null, {}, { display: '' }], [ENTERPRISE_USER_SCHEMA_ID]: { department: '' } });
    expect(data).toEqual({ schemas: [CORE_USER_SCHEMA_ID], userName: 'bjensen' });
  });

  it('refuses more than one primary value', () => {
    const fault = faultOf(() => dataOf({ emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: 'True' }] }));
    expect(fault).toMatchObject({ scimType: 'invalidValue' });
    expect(fault.message).toMatch(/primary/);
    expect(dataOf({ emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: false }] })['emails']).toHaveLength(2);
  });

  it('bounds string lengths in UTF-8 bytes and refuses unstorable characters', () => {
    expect(dataOf({ title: 'x'.repeat(4096) })['title']).toHaveLength(4096);
    expect(faultOf(() => dataOf({ title: 'x'.repeat(4097) })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ title: 'é'.repeat(2049) })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ title: 'a\u0000b' })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ title: 'a\uD800b' })).scimType).toBe('invalidValue');
    expect(dataOf({ title: 'a😀b' })['title']).toBe('a😀b');
  });

  it('bounds the number of values: 1,000 per attribute, 100,000 Group members', () => {
    const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `u${i}@x` }));
    expect(dataOf({ emails: emails(1000) })['emails']).toHaveLength(1000);
    expect(faultOf(() => dataOf({ emails: emails(1001) })).scimType).toBe('invalidValue');
    const members = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `m${i}` }));
    const group = (n: number) => prepareResource(GROUP, { schemas: [CORE_GROUP_SCHEMA_ID], displayName: 'All', members: members(n) }, {});
    expect(group(100_000).data['members']).toHaveLength(100_000);
    expect(faultOf(() => group(100_001)).scimType).toBe('invalidValue');
  });
});

describe('prepareResource: required and mutability', () => {
  it('needs userName for a User and displayName for a Group', () => {
    expect(faultOf(() => prepare({ schemas: [CORE_USER_SCHEMA_ID] }))).toMatchObject({ scimType: 'invalidValue' });
    expect(faultOf(() => dataOf({ userName: '' })).scimType).toBe('invalidValue');
    expect(faultOf(() => dataOf({ userName: null })).scimType).toBe('invalidValue');
    expect(faultOf(() => prepareResource(GROUP, { schemas: [CORE_GROUP_SCHEMA_ID] }, {})).message).toMatch(/displayName/);
    expect(prepareResource(GROUP, { schemas: [CORE_GROUP_SCHEMA_ID], displayName: 'Ops' }, {}).uniqueName).toBe('Ops');
  });

  it('needs required sub-attributes of a value that is present', () => {
    expect(faultOf(() => dataOf({ [ACME]: { site: { floor: 2 } } })).message).toMatch(/site' needs 'code'/);
    expect(dataOf({ [ACME]: { site: { code: 'HQ' } } })[ACME]).toEqual({ site: { code: 'HQ' } });
    expect(dataOf({ [ACME]: { site: { code: '', floor: null } } })[ACME]).toBeUndefined();
  });

  it('needs a required extension and its required attributes', () => {
    const strict = createScimRegistry([{ id: ACME, required: true, attributes: [{ name: 'badge', type: 'string', required: true }] }]).resourceType('User') as ScimResourceType;
    expect(faultOf(() => prepareResource(strict, user({}), {})).message).toMatch(/badge/);
    expect(prepareResource(strict, user({ [ACME]: { badge: 'b1' } }), {}).data['schemas']).toEqual([CORE_USER_SCHEMA_ID, ACME]);
  });

  it('ignores read-only attributes in the body (id, meta, groups) and keeps their stored values on PUT', () => {
    const data = dataOf({ id: 'mine', meta: { created: '2000-01-01' }, groups: [{ value: 'g1' }], [ACME]: { audited: 'me', level: 1 } });
    expect(data).toEqual({ schemas: [CORE_USER_SCHEMA_ID, ACME], userName: 'bjensen', [ACME]: { level: 1 } });
    const stored = { schemas: [CORE_USER_SCHEMA_ID, ACME], userName: 'bjensen', [ACME]: { audited: 'server' } };
    expect(dataOf({ [ACME]: { audited: 'me' } }, stored)[ACME]).toEqual({ audited: 'server' });
  });

  it('drops read-only sub-attributes (manager.displayName)', () => {
    expect(dataOf({ [ENTERPRISE_USER_SCHEMA_ID]: { manager: { value: 'm', displayName: 'M' } } })[ENTERPRISE_USER_SCHEMA_ID]).toEqual({ manager: { value: 'm' } });
  });

  it('accepts write-only values but never stores them (password)', () => {
    const data = dataOf({ password: 't1meMa$heen', [ACME]: { pin: '1234' } });
    expect(JSON.stringify(data)).not.toMatch(/t1meMa|1234/);
    expect(data[ACME]).toBeUndefined();
    expect(faultOf(() => dataOf({ password: 12 })).scimType).toBe('invalidValue');
  });

  it('lets an immutable attribute be set once, then only resent unchanged (mutability)', () => {
    const stored = prepare(user({ [ACME]: { badge: 'B-1' } })).data;
    expect(dataOf({ [ACME]: { badge: 'b-1', level: 2 } }, stored)[ACME]).toEqual({ badge: 'B-1', level: 2 });
    expect(dataOf({ [ACME]: { level: 2 } }, stored)[ACME]).toEqual({ badge: 'B-1', level: 2 });
    expect(faultOf(() => dataOf({ [ACME]: { badge: 'B-2' } }, stored))).toMatchObject({ scimType: 'mutability' });
    expect(dataOf({ [ACME]: { badge: 'B-2' } }, { schemas: [CORE_USER_SCHEMA_ID], userName: 'bjensen' })[ACME]).toEqual({ badge: 'B-2' });
  });

  it('lets a PUT replace a Group members list (members sub-attributes are immutable per element, not per list)', () => {
    const stored = prepareResource(GROUP, RFC_GROUP, {}).data;
    const next = prepareResource(GROUP, { schemas: [CORE_GROUP_SCHEMA_ID], displayName: 'Tour Guides', members: [{ value: 'new' }] }, { existing: stored });
    expect(next.data['members']).toEqual([{ value: 'new' }]);
  });

  it('replaces on PUT: attributes left out are cleared', () => {
    const stored = prepare(user({ title: 'Guide', [ENTERPRISE_USER_SCHEMA_ID]: { department: 'Ops' } })).data;
    expect(dataOf({ nickName: 'B' }, stored)).toEqual({ schemas: [CORE_USER_SCHEMA_ID], userName: 'bjensen', nickName: 'B' });
  });
});

describe('prepareResource: prototype pollution', () => {
  it('never writes or reads through __proto__, constructor or prototype', () => {
    const body = JSON.parse(
      `{"schemas":["${CORE_USER_SCHEMA_ID}"],"userName":"a","__proto__":{"polluted":1},"name":{"__proto__":{"polluted":1},"givenName":"B"},` +
        `"emails":[{"__proto__":{"primary":true},"value":"a@x"}],"constructor":{"prototype":{"polluted":1}},"${ACME}":{"__proto__":{"level":1},"constructor":"c"},` +
        `"${ENTERPRISE_USER_SCHEMA_ID}:__proto__":{"polluted":1}}`,
    ) as Record<string, unknown>;
    const { data } = prepare(body);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.stringify(data)).toBe(
      JSON.stringify({ schemas: [CORE_USER_SCHEMA_ID, ACME], userName: 'a', name: { givenName: 'B' }, emails: [{ value: 'a@x' }], [ACME]: { constructor: 'c' } }),
    );
    expect((data['emails'] as Record<string, unknown>[])[0]?.['primary']).toBeUndefined();
  });

  it('does not read inherited members of a stored resource', () => {
    const stored = Object.create({ [ACME]: { audited: 'inherited' } }) as Record<string, unknown>;
    expect(dataOf({}, stored)[ACME]).toBeUndefined();
  });
});

describe('prepareResource: real bodies', () => {
  it('accepts the RFC 7643 §8.3 enterprise user', () => {
    const { data, uniqueName } = prepare(RFC_ENTERPRISE_USER);
    expect(uniqueName).toBe('bjensen@example.com');
    expect(Object.keys(data)).not.toContain('password');
    expect(Object.keys(data)).not.toContain('groups');
    expect(data[ENTERPRISE_USER_SCHEMA_ID]).toMatchObject({ employeeNumber: '701984', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } });
  });

  it('accepts Entra ID POST /Users', () => {
    const { data, uniqueName } = prepare(ENTRA_POST_USER);
    expect(uniqueName).toBe(ENTRA_POST_USER.userName);
    expect(data).toEqual({
      schemas: [CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID],
      externalId: ENTRA_POST_USER.externalId,
      userName: ENTRA_POST_USER.userName,
      name: ENTRA_POST_USER.name,
      active: true,
      emails: ENTRA_POST_USER.emails,
      [ENTERPRISE_USER_SCHEMA_ID]: { department: 'Finance', manager: { value: 'Test_Manager_1' } },
    });
  });

  it('accepts Okta POST /Users, dropping password and groups', () => {
    const { data } = prepare(OKTA_POST_USER);
    const { password, groups, ...rest } = OKTA_POST_USER;
    expect(password).toBeDefined();
    expect(groups).toEqual([]);
    expect(data).toEqual({ ...rest, schemas: [CORE_USER_SCHEMA_ID] });
  });
});
