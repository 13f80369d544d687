import { describe, expect, it } from 'vitest';
import type { ScimResource } from '../../store/types.js';
import { prepareResource } from './prepare.js';
import { parseProjection, projectResource } from './project.js';
import { createScimRegistry } from './registry.js';
import { CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID } from './schemas.js';
import { ACME_EXTENSION, ACME_ID, RFC_ENTERPRISE_USER, RFC_FULL_USER, RFC_GROUP, RFC_MINIMAL_USER } from './test-fixtures.js';
import type { Projection, ScimResourceType } from './types.js';

const ACME = ACME_ID;
const registry = createScimRegistry([ACME_EXTENSION]);
const USER = registry.resourceType('User') as ScimResourceType;
const GROUP = registry.resourceType('Group') as ScimResourceType;
const BASE = 'https://example.com/v2';

function stored(type: ScimResourceType, body: { id: string; meta: { created: string; lastModified: string }; [key: string]: unknown }): ScimResource {
  return { resourceType: type.name, id: body.id, data: prepareResource(type, body, {}).data, version: 7, created: body.meta.created, lastModified: body.meta.lastModified };
}
const wireMeta = (type: ScimResourceType, id: string) => ({
  resourceType: type.name,
  created: '2010-01-23T04:56:22Z',
  lastModified: '2011-05-13T04:42:34Z',
  location: `${BASE}${type.endpoint}/${id}`,
  version: 'W/"7"',
});

const BJENSEN = stored(USER, {
  ...RFC_ENTERPRISE_USER,
  [ACME]: { badge: 'B-1', clearance: 'top', level: 3, site: { code: 'HQ', secret: 's' } },
});
const show = (projection?: Projection) => projectResource(USER, BJENSEN, { baseUrl: BASE, ...(projection === undefined ? {} : { projection }) });

describe('projectResource: RFC 7643 §8 examples round-trip through prepare → project', () => {
  it('§8.1 minimal user', () => {
    expect(projectResource(USER, stored(USER, RFC_MINIMAL_USER), { baseUrl: BASE })).toEqual({ ...RFC_MINIMAL_USER, meta: wireMeta(USER, RFC_MINIMAL_USER.id) });
  });

  it('§8.2 full user, less what is never stored (password) or read-only (groups: computed by the routes)', () => {
    const { password, groups, ...expected } = RFC_FULL_USER;
    expect([password, groups.length]).toEqual(['t1meMa$heen', 2]);
    const wire = projectResource(USER, stored(USER, RFC_FULL_USER), { baseUrl: BASE });
    expect(wire).toEqual({ ...expected, meta: wireMeta(USER, RFC_FULL_USER.id) });
    expect(Object.keys(wire).slice(0, 2)).toEqual(['schemas', 'id']);
    expect(Object.keys(wire).at(-1)).toBe('meta');
  });

  it('§8.3 enterprise user, less the read-only manager.displayName', () => {
    const { password, groups, ...expected } = RFC_ENTERPRISE_USER;
    expect(password).toBeDefined();
    expect(groups).toBeDefined();
    const { displayName, ...manager } = RFC_ENTERPRISE_USER[ENTERPRISE_USER_SCHEMA_ID].manager;
    expect(displayName).toBe('John Smith');
    expect(projectResource(USER, stored(USER, RFC_ENTERPRISE_USER), { baseUrl: BASE })).toEqual({
      ...expected,
      [ENTERPRISE_USER_SCHEMA_ID]: { ...RFC_ENTERPRISE_USER[ENTERPRISE_USER_SCHEMA_ID], manager },
      meta: wireMeta(USER, RFC_ENTERPRISE_USER.id),
    });
  });

  it('§8.4 group', () => {
    expect(projectResource(GROUP, stored(GROUP, RFC_GROUP), { baseUrl: `${BASE}/` })).toEqual({ ...RFC_GROUP, meta: wireMeta(GROUP, RFC_GROUP.id) });
  });
});

describe('projectResource: returned', () => {
  it('shows default and always attributes, never request or never ones', () => {
    const wire = show();
    expect(wire[ACME]).toEqual({ badge: 'B-1', level: 3, site: { code: 'HQ' } });
    expect(wire).not.toHaveProperty('password');
  });

  it('never shows a password, even one found in stored data or asked for', () => {
    const legacy: ScimResource = { ...BJENSEN, data: { ...BJENSEN.data, password: 'plain' } };
    const wire = projectResource(USER, legacy, { baseUrl: BASE, projection: { attributes: ['password'] } });
    expect(JSON.stringify(wire)).not.toMatch(/plain/);
  });

  it('shows request attributes and sub-attributes only when named', () => {
    expect(show({ attributes: [`${ACME}:clearance`] })[ACME]).toEqual({ badge: 'B-1', clearance: 'top' });
    expect(show({ attributes: ['clearance', 'site.secret'] })[ACME]).toEqual({ badge: 'B-1', clearance: 'top', site: { secret: 's' } });
  });

  it('leaks nothing the schemas do not define', () => {
    const odd: ScimResource = { ...BJENSEN, data: { ...BJENSEN.data, secret: 'x', 'urn:other:User': { y: 1 }, [ACME]: { badge: 'B', hidden: 'z' } } };
    const text = JSON.stringify(projectResource(USER, odd, { baseUrl: BASE }));
    expect(text).not.toMatch(/secret|urn:other|hidden/);
  });
});

describe('projectResource: attributes / excludedAttributes (RFC 7644 §3.4.2.5, §3.9)', () => {
  it('§3.9: attributes=userName gives schemas, id and userName (plus always-returned ones)', () => {
    expect(show(parseProjection('userName'))).toEqual({ schemas: BJENSEN.data['schemas'], id: BJENSEN.id, userName: 'bjensen@example.com', [ACME]: { badge: 'B-1' } });
  });

  it('names are case-insensitive; sub-attribute paths narrow a complex attribute', () => {
    const wire = show(parseProjection('NAME.givenName,emails.VALUE,meta.created'));
    expect(wire['name']).toEqual({ givenName: 'Barbara' });
    expect(wire['emails']).toEqual([{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }]);
    expect(wire['meta']).toEqual({ created: '2010-01-23T04:56:22Z' });
    expect(wire).not.toHaveProperty('displayName');
  });

  it('a whole attribute named with one of its sub-attributes stays whole', () => {
    expect(show(parseProjection('name.givenName,name'))['name']).toEqual(RFC_FULL_USER.name);
  });

  it('URN-qualified names and whole extensions', () => {
    expect(show(parseProjection(`${ENTERPRISE_USER_SCHEMA_ID}:department`))[ENTERPRISE_USER_SCHEMA_ID]).toEqual({ department: 'Tour Operations' });
    expect(show(parseProjection(`${ENTERPRISE_USER_SCHEMA_ID}:manager.value`))[ENTERPRISE_USER_SCHEMA_ID]).toEqual({ manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } });
    expect(show(parseProjection(`${CORE_USER_SCHEMA_ID}:userName`))['userName']).toBe('bjensen@example.com');
    expect(show(parseProjection('department'))[ENTERPRISE_USER_SCHEMA_ID]).toEqual({ department: 'Tour Operations' });
    const whole = show(parseProjection(ENTERPRISE_USER_SCHEMA_ID.toUpperCase().replace('URN', 'urn')))[ENTERPRISE_USER_SCHEMA_ID];
    expect(Object.keys(whole as object)).toEqual(['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager']);
  });

  it('excludedAttributes drops default attributes, sub-attributes and whole extensions, never always ones', () => {
    const wire = show(parseProjection(undefined, 'emails,name.familyName,meta,id,schemas,badge,' + ENTERPRISE_USER_SCHEMA_ID));
    expect(wire).not.toHaveProperty('emails');
    expect(wire).not.toHaveProperty('meta');
    expect(wire).not.toHaveProperty(ENTERPRISE_USER_SCHEMA_ID);
    expect(wire['name']).not.toHaveProperty('familyName');
    expect(wire['name']).toHaveProperty('givenName', 'Barbara');
    expect(wire['id']).toBe(BJENSEN.id);
    expect(wire['schemas']).toEqual(BJENSEN.data['schemas']);
    expect(wire[ACME]).toEqual({ badge: 'B-1', level: 3, site: { code: 'HQ' } });
  });

  it('an attribute both asked for and excluded is left out', () => {
    const wire = show({ attributes: ['userName', 'title'], excludedAttributes: ['title'] });
    expect(wire).toHaveProperty('userName');
    expect(wire).not.toHaveProperty('title');
  });

  it('ignores unknown names', () => {
    expect(Object.keys(show(parseProjection('nope,name.nope,urn:x:y:z')))).toEqual(['schemas', 'id', ACME]);
    expect(show(parseProjection(undefined, 'nope,__proto__,constructor'))).toEqual(show());
  });

  it('omits a complex attribute whose shown sub-attributes are all absent', () => {
    expect(show(parseProjection('name.nope2,name.middleName'))['name']).toEqual({ middleName: 'Jane' });
    const plain = stored(USER, RFC_MINIMAL_USER);
    expect(projectResource(USER, plain, { baseUrl: BASE, projection: { attributes: ['name.givenName'] } })).not.toHaveProperty('name');
  });
});

describe('projectResource: meta', () => {
  it('builds location from the base URL and the escaped id, and a weak ETag', () => {
    const odd: ScimResource = { ...BJENSEN, id: 'a b/c?', version: 12 };
    expect(projectResource(USER, odd, { baseUrl: `${BASE}//` })['meta']).toMatchObject({
      resourceType: 'User',
      location: `${BASE}/Users/a%20b%2Fc%3F`,
      version: 'W/"12"',
    });
  });

  it('falls back to the core schema when stored data lacks schemas', () => {
    const bare: ScimResource = { ...BJENSEN, data: { userName: 'x' } };
    expect(projectResource(USER, bare, { baseUrl: BASE })['schemas']).toEqual([CORE_USER_SCHEMA_ID]);
  });
});

describe('parseProjection', () => {
  it('splits on commas, trims, and drops empty parameters', () => {
    expect(parseProjection(' userName , name.givenName ,,', '')).toEqual({ attributes: ['userName', 'name.givenName'] });
    expect(parseProjection(undefined, 'emails')).toEqual({ excludedAttributes: ['emails'] });
    expect(parseProjection()).toEqual({});
    expect(parseProjection(' , ')).toEqual({});
  });
});
