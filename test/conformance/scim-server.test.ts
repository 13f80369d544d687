import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimFixture, TEST_CAPABILITIES, type ScimFixture } from '../../src/api/scim/testing.js';
import type { ScimUserChange } from '../../src/api/scim/types.js';
import { createScimRegistry } from '../../src/scim/resource/index.js';
import { freshSchema } from '../support/pg.js';

/**
 * RFC 7644 §3 and §4, section by section, over HTTP (app.inject) against a
 * real store: the same suite on SQLite and on PostgreSQL.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

const registry = createScimRegistry([
  { id: ACME, resourceType: 'User', attributes: [{ name: 'badge', type: 'string', mutability: 'immutable' }] },
]);

interface Reply {
  readonly status: number;
  readonly body: Record<string, any>;
  readonly headers: Record<string, string | string[] | number | undefined>;
}

type Json = Record<string, unknown>;

const backends: [string, () => Promise<{ url: string; drop(): Promise<void> }>][] = [
  ['sqlite', async () => ({ url: 'sqlite::memory:', drop: async () => undefined })],
  ['postgres', async () => freshSchema('scim_server')],
];

describe.each(backends)('SCIM server on %s', (_name, database) => {
  let fixture: ScimFixture;
  let drop: () => Promise<void>;
  const changes: ScimUserChange[] = [];

  const call = async (method: string, url: string, body?: unknown, headers: Json = {}): Promise<Reply> => {
    const response = await fixture.app.inject({
      method: method as 'GET',
      url: `/scim/v2${url}`,
      headers: { ...fixture.headers, ...(headers as Record<string, string>) },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.statusCode, body: response.body === '' ? {} : (response.json() as Record<string, any>), headers: response.headers };
  };
  const user = (userName: string, extra: Json = {}): Json => ({ schemas: [USER], userName, ...extra });
  const createUser = async (userName: string, extra: Json = {}) => {
    const reply = await call('POST', '/Users', user(userName, extra));
    expect(reply.status).toBe(201);
    return reply.body as Json & { id: string };
  };
  const userNames = async (query: string) => {
    const reply = await call('GET', `/Users?${query}`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return (reply.body.Resources as Json[]).map((resource) => resource.userName);
  };
  const filtered = async (filter: string) => (await userNames(`filter=${encodeURIComponent(filter)}&sortBy=userName`));
  const expectError = (reply: Reply, status: number, scimType?: string) => {
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    expect(reply.body.schemas).toEqual([ERROR]);
    expect(reply.body.status).toBe(String(status));
    expect(typeof reply.body.detail).toBe('string');
    if (scimType !== undefined) expect(reply.body.scimType).toBe(scimType);
    expect(reply.headers['content-type']).toBe('application/scim+json; charset=utf-8');
  };

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    fixture = await scimFixture(db.url, { registry, onUserChange: async (change) => { changes.push(change); } });
    await createUser('alice@example.com', {
      name: { givenName: 'Alice', familyName: 'Jensen' }, title: 'Engineer', active: true,
      emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
      [ENTERPRISE]: { employeeNumber: '100', department: 'R&D' }, schemas: [USER, ENTERPRISE],
    });
    await createUser('bob@example.com', {
      name: { givenName: 'Bob', familyName: 'Smith' }, title: 'Manager', active: false,
      emails: [{ value: 'bob@work.example', type: 'work' }, { value: 'bob@home.example', type: 'home' }],
    });
    await createUser('carol@example.org', { name: { givenName: 'Carol', familyName: 'Jensen-Smith' }, active: true });
  });

  afterAll(async () => {
    await fixture?.close();
    await drop?.();
  });

  describe('3.1 content types', () => {
    it('answers application/scim+json and accepts application/json bodies', async () => {
      const reply = await call('POST', '/Users', user('json-client'), { 'content-type': 'application/json; charset=utf-8' });
      expect(reply.status).toBe(201);
      expect(reply.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    });

    it('refuses other media types and malformed JSON in SCIM error form', async () => {
      expectError(await call('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
      expectError(await call('POST', '/Users', '{"userName": ', {}), 400, 'invalidSyntax');
    });
  });

  describe('3.3 create', () => {
    it('returns 201 with Location, ETag and the resource; password never comes back', async () => {
      const reply = await call('POST', '/Users', user('dave@example.com', { password: 's3cret!', displayName: 'Dave' }));
      expect(reply.status).toBe(201);
      expect(reply.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(reply.headers.location).toBe(reply.body.meta.location);
      expect(String(reply.headers.location)).toMatch(new RegExp(`/scim/v2/Users/${reply.body.id}$`));
      expect(reply.headers.etag).toBe('W/"1"');
      expect(reply.body.meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
      expect(JSON.stringify(reply.body)).not.toContain('s3cret');
    });

    it('refuses a second userName differing only in case with 409 uniqueness', async () => {
      expectError(await call('POST', '/Users', user('ALICE@example.com')), 409, 'uniqueness');
    });

    it('refuses a body without the required userName with 400', async () => {
      const reply = await call('POST', '/Users', { schemas: [USER], displayName: 'No name' });
      expectError(reply, 400);
      expect(['invalidValue', 'invalidSyntax']).toContain(reply.body.scimType);
    });

    it('tells the inbound provisioning hook about the new user', async () => {
      const created = await createUser('hooked@example.com');
      expect(changes).toContainEqual(expect.objectContaining({ kind: 'upsert', resource: expect.objectContaining({ id: created.id }) }));
    });
  });

  describe('3.4.1 retrieving a known resource', () => {
    it('returns the resource by id, and 404 for an unknown id', async () => {
      const [alice] = (await call('GET', `/Users?filter=${encodeURIComponent('userName eq "alice@example.com"')}`)).body.Resources as Json[];
      const reply = await call('GET', `/Users/${String(alice?.id)}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ userName: 'alice@example.com', [ENTERPRISE]: { employeeNumber: '100' } });
      expectError(await call('GET', '/Users/00000000-0000-0000-0000-000000000000'), 404);
    });
  });

  describe('3.4.2 listing and filtering', () => {
    it('answers an empty ListResponse when nothing matches', async () => {
      const reply = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody-9f3a"')}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ schemas: [LIST], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
    });

    it('applies every comparison operator', async () => {
      expect(await filtered('userName eq "ALICE@example.com"')).toEqual(['alice@example.com']);
      expect(await filtered('name.familyName ne "Smith" and name.familyName pr')).toEqual(['alice@example.com', 'carol@example.org']);
      expect(await filtered('name.familyName co "smith"')).toEqual(['bob@example.com', 'carol@example.org']);
      expect(await filtered('userName sw "b"')).toEqual(['bob@example.com']);
      expect(await filtered('userName ew ".org"')).toEqual(['carol@example.org']);
      expect(await filtered('title pr')).toEqual(['alice@example.com', 'bob@example.com']);
      expect(await filtered('name.givenName gt "Bob" and name.givenName lt "Zed"')).toEqual(['carol@example.org']);
      expect(await filtered('name.givenName ge "Bob" and name.givenName le "Bob"')).toEqual(['bob@example.com']);
      expect(await filtered('meta.created gt "2000-01-01T00:00:00Z" and userName sw "a"')).toEqual(['alice@example.com']);
      expect(await filtered('active eq false')).toEqual(['bob@example.com']);
      expect(await filtered(`${ENTERPRISE}:employeeNumber eq "100"`)).toEqual(['alice@example.com']);
    });

    it('applies and, or, not, grouping and value paths', async () => {
      expect(await filtered('userName sw "a" or userName sw "c"')).toEqual(['alice@example.com', 'carol@example.org']);
      expect(await filtered('not (userName sw "a") and (title eq "Manager" or name.givenName eq "Carol")')).toEqual(['bob@example.com', 'carol@example.org']);
      expect(await filtered('emails[type eq "home" and value co "bob"]')).toEqual(['bob@example.com']);
      expect(await filtered('emails[type eq "work" and value co "home"]')).toEqual([]);
      expect(await filtered('emails co "example.com"')).toEqual(['alice@example.com']);
    });

    it('refuses a broken filter with 400 invalidFilter', async () => {
      expectError(await call('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');
      expectError(await call('GET', `/Users?filter=${encodeURIComponent('shoeSize eq 9')}`), 400, 'invalidFilter');
    });

    it('sorts ascending by default and descending on request', async () => {
      const filter = `filter=${encodeURIComponent('name.familyName pr')}`;
      expect(await userNames(`${filter}&sortBy=name.givenName`)).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.org']);
      expect(await userNames(`${filter}&sortBy=name.givenName&sortOrder=descending`)).toEqual(['carol@example.org', 'bob@example.com', 'alice@example.com']);
      expectError(await call('GET', '/Users?sortBy=shoeSize'), 400, 'invalidValue');
    });

    it('pages with 1-based startIndex and count', async () => {
      const filter = `filter=${encodeURIComponent('name.familyName pr')}&sortBy=userName`;
      const page = await call('GET', `/Users?${filter}&startIndex=2&count=1`);
      expect(page.body).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 2 });
      expect((page.body.Resources as Json[])[0]?.userName).toBe('bob@example.com');
      const totalOnly = await call('GET', `/Users?${filter}&count=0`);
      expect(totalOnly.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
      expect(await userNames(`${filter}&startIndex=-4&count=-1`)).toEqual([]);
      expect(await userNames(`${filter}&startIndex=0&count=2`)).toEqual(['alice@example.com', 'bob@example.com']);
      expect(await userNames(`${filter}&startIndex=3&count=100000`)).toEqual(['carol@example.org']);
    });

    it('returns only the attributes asked for, or all but the excluded ones', async () => {
      const filter = `filter=${encodeURIComponent('userName eq "bob@example.com"')}`;
      const only = (await call('GET', `/Users?${filter}&attributes=userName,name.givenName`)).body.Resources[0] as Json;
      expect(Object.keys(only).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
      expect(only.name).toEqual({ givenName: 'Bob' });
      const without = (await call('GET', `/Users?${filter}&excludedAttributes=emails,name`)).body.Resources[0] as Json;
      expect(without).not.toHaveProperty('emails');
      expect(without).not.toHaveProperty('name');
      expect(without).toHaveProperty('title', 'Manager');
    });
  });

  describe('3.4.3 searching with POST', () => {
    it('/Users/.search behaves like GET with the same parameters', async () => {
      const body = { schemas: [SEARCH], filter: 'name.familyName co "Smith"', sortBy: 'userName', sortOrder: 'descending', attributes: ['userName'], startIndex: 1, count: 10 };
      const search = await call('POST', '/Users/.search', body);
      const get = await call('GET', `/Users?filter=${encodeURIComponent(body.filter)}&sortBy=userName&sortOrder=descending&attributes=userName`);
      expect(search.status).toBe(200);
      expect(search.body).toEqual(get.body);
      expect((search.body.Resources as Json[]).map((r) => r.userName)).toEqual(['carol@example.org', 'bob@example.com']);
    });

    it('/.search at the root searches every resource type', async () => {
      await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Root search team' });
      await createUser('root-search@example.com', { displayName: 'Root search person' });
      const both = await call('POST', '/.search', { schemas: [SEARCH], filter: 'displayName sw "Root search"', sortBy: 'displayName' });
      expect(both.status).toBe(200);
      expect((both.body.Resources as Json[]).map((resource) => [resource.meta && (resource.meta as Json).resourceType, resource.displayName]))
        .toEqual([['User', 'Root search person'], ['Group', 'Root search team']]);
      const second = await call('POST', '/.search', { schemas: [SEARCH], filter: 'displayName sw "Root search"', startIndex: 2, count: 1 });
      expect(second.body).toMatchObject({ totalResults: 2, itemsPerPage: 1, startIndex: 2 });
      expect((second.body.Resources as Json[])[0]?.displayName).toBe('Root search team');
      // userName exists on Users only: Groups simply contribute nothing.
      const users = await call('POST', '/.search', { schemas: [SEARCH], filter: 'userName eq "alice@example.com"' });
      expect((users.body.Resources as Json[]).map((resource) => resource.userName)).toEqual(['alice@example.com']);
      expectError(await call('POST', '/.search', { schemas: [SEARCH], filter: 'nonsense eq 1' }), 400, 'invalidFilter');
    });

    it('refuses a body that is not a SearchRequest', async () => {
      expectError(await call('POST', '/Users/.search', { filter: 'userName pr' }), 400, 'invalidSyntax');
    });
  });

  describe('3.5.1 replacing with PUT', () => {
    it('replaces the whole resource and bumps the version', async () => {
      const created = await createUser('erin@example.com', { title: 'Intern', nickName: 'E' });
      const reply = await call('PUT', `/Users/${created.id}`, user('erin@example.com', { title: 'Engineer', id: 'ignored-id' }));
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(created.id);
      expect(reply.body.title).toBe('Engineer');
      expect(reply.body).not.toHaveProperty('nickName');
      expect(reply.headers.etag).toBe('W/"2"');
    });

    it('refuses to change an immutable attribute, and accepts it unchanged', async () => {
      const created = await createUser('frank@example.com', { schemas: [USER, ACME], [ACME]: { badge: 'B-1' } });
      const body = (badge: string) => ({ schemas: [USER, ACME], userName: 'frank@example.com', [ACME]: { badge } });
      expectError(await call('PUT', `/Users/${created.id}`, body('B-2')), 400, 'mutability');
      expect((await call('PUT', `/Users/${created.id}`, body('B-1'))).status).toBe(200);
    });

    it('answers 404 for an unknown id and 409 for a taken userName', async () => {
      expectError(await call('PUT', '/Users/00000000-0000-0000-0000-000000000000', user('ghost')), 404);
      const created = await createUser('gina@example.com');
      expectError(await call('PUT', `/Users/${created.id}`, user('Bob@Example.com')), 409, 'uniqueness');
    });
  });

  describe('3.5.2 modifying with PATCH', () => {
    const patch = (...Operations: Json[]) => ({ schemas: [PATCH_OP], Operations });

    it('adds, replaces and removes attributes (RFC examples)', async () => {
      const created = await createUser('hank@example.com', { name: { givenName: 'Hank', familyName: 'Hill' } });
      const reply = await call('PATCH', `/Users/${created.id}`, patch(
        { op: 'add', path: 'emails', value: [{ value: 'hank@example.com', type: 'work' }] },
        { op: 'replace', path: 'name.familyName', value: 'Hall' },
        { op: 'add', value: { nickName: 'H', title: 'Owner' } },
        { op: 'remove', path: 'title' },
      ));
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ name: { givenName: 'Hank', familyName: 'Hall' }, nickName: 'H', emails: [{ value: 'hank@example.com', type: 'work' }] });
      expect(reply.body).not.toHaveProperty('title');
      expect(reply.headers.etag).toBe('W/"2"');
    });

    it('adds and removes group members, one by filter (RFC 7644 §3.5.2.1 and §3.5.2.2)', async () => {
      const a = await createUser('member-a@example.com');
      const b = await createUser('member-b@example.com');
      const group = (await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Patch team', members: [{ value: a.id }] })).body;
      const added = await call('PATCH', `/Groups/${group.id}`, patch({ op: 'add', path: 'members', value: [{ value: b.id, display: 'B' }] }));
      expect((added.body.members as Json[]).map((m) => m.value).sort()).toEqual([a.id, b.id].sort());
      const removed = await call('PATCH', `/Groups/${group.id}`, patch({ op: 'remove', path: `members[value eq "${a.id}"]` }));
      expect((removed.body.members as Json[]).map((m) => m.value)).toEqual([b.id]);
    });

    it('keeps the version when a patch changes nothing', async () => {
      const created = await createUser('ivy@example.com', { title: 'Chef' });
      const reply = await call('PATCH', `/Users/${created.id}`, patch({ op: 'replace', path: 'title', value: 'Chef' }));
      expect(reply.status).toBe(200);
      expect(reply.headers.etag).toBe('W/"1"');
    });

    it('refuses a bad path with 400 and a scimType, a bad body with invalidSyntax', async () => {
      const created = await createUser('jack@example.com');
      const reply = await call('PATCH', `/Users/${created.id}`, patch({ op: 'replace', path: 'emails[type eq', value: 'x' }));
      expectError(reply, 400);
      expect(['invalidPath', 'invalidFilter']).toContain(reply.body.scimType);
      expectError(await call('PATCH', `/Users/${created.id}`, { Operations: 'nope' }), 400, 'invalidSyntax');
    });

    it('does not lose concurrent updates', async () => {
      const group = (await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Concurrent team' })).body;
      const users = await Promise.all(Array.from({ length: 8 }, (_, i) => createUser(`concurrent-${i}@example.com`)));
      const replies = await Promise.all(users.map((u) => call('PATCH', `/Groups/${group.id}`, patch({ op: 'add', path: 'members', value: [{ value: u.id }] }))));
      expect(replies.map((r) => r.status)).toEqual(users.map(() => 200));
      const final = await call('GET', `/Groups/${group.id}`);
      expect((final.body.members as Json[]).length).toBe(8);
    });
  });

  describe('3.6 deleting', () => {
    it('answers 204, then 404; the user leaves its groups and the hook hears of it', async () => {
      const kim = await createUser('kim@example.com');
      const group = (await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Delete team', members: [{ value: kim.id }] })).body;
      expect((await call('GET', `/Users/${kim.id}`)).body.groups).toEqual([expect.objectContaining({ value: group.id, display: 'Delete team' })]);
      const reply = await call('DELETE', `/Users/${kim.id}`);
      expect(reply.status).toBe(204);
      expect(reply.headers['content-type']).toBeUndefined();
      expectError(await call('GET', `/Users/${kim.id}`), 404);
      expectError(await call('DELETE', `/Users/${kim.id}`), 404);
      expect((await call('GET', `/Groups/${group.id}`)).body.members ?? []).toEqual([]);
      expect(changes).toContainEqual({ kind: 'delete', id: kim.id });
    });

    it('refuses group members that do not exist with 400 invalidValue', async () => {
      expectError(await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Ghost team', members: [{ value: 'no-such-id' }] }), 400, 'invalidValue');
    });
  });

  describe('3.7 bulk', () => {
    const bulk = (Operations: Json[], extra: Json = {}) => call('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations, ...extra });

    it('creates a user and a group naming it through bulkId (RFC 7644 §3.7.2)', async () => {
      const reply = await bulk([
        { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: { schemas: [GROUP], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] } },
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: user('tour-guide@example.com') },
        { method: 'PATCH', path: '/Users/bulkId:qwerty', data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'Guide' }] } },
      ]);
      expect(reply.status).toBe(200);
      expect(reply.body.schemas).toEqual([BULK_RESPONSE]);
      const [group, created, patched] = reply.body.Operations as Json[];
      expect(created).toMatchObject({ method: 'POST', bulkId: 'qwerty', status: '201', version: 'W/"1"' });
      expect(group).toMatchObject({ method: 'POST', bulkId: 'ytrewq', status: '201' });
      expect(patched).toMatchObject({ method: 'PATCH', status: '200', version: 'W/"2"', location: created?.location });
      const userId = String(created?.location).split('/').pop();
      const stored = await call('GET', `/Groups/${String(group?.location).split('/').pop()}`);
      expect((stored.body.members as Json[]).map((m) => m.value)).toEqual([userId]);
    });

    it('fails references to unknown, failed or circular bulkIds with 409', async () => {
      const reply = await bulk([
        { method: 'POST', path: '/Users', bulkId: 'dup', data: user('alice@example.com') },
        { method: 'PATCH', path: '/Users/bulkId:dup', data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'x' }] } },
        { method: 'DELETE', path: '/Users/bulkId:never' },
        { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP], displayName: 'Cycle A', members: [{ value: 'bulkId:b' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP], displayName: 'Cycle B', members: [{ value: 'bulkId:a' }] } },
      ]);
      expect((reply.body.Operations as Json[]).map((o) => o.status)).toEqual(['409', '409', '409', '409', '409']);
      expect((reply.body.Operations as Json[])[0]?.response).toMatchObject({ schemas: [ERROR], scimType: 'uniqueness' });
      expect((await call('GET', `/Groups?filter=${encodeURIComponent('displayName sw "Cycle"')}`)).body.totalResults).toBe(0);
    });

    it('stops after failOnErrors failures', async () => {
      const reply = await bulk([
        { method: 'DELETE', path: '/Users/missing-1' },
        { method: 'DELETE', path: '/Users/missing-2' },
        { method: 'POST', path: '/Users', bulkId: 'late', data: user('never-created@example.com') },
      ], { failOnErrors: 2 });
      expect((reply.body.Operations as Json[]).map((o) => o.status)).toEqual(['404', '404']);
      expect((await call('GET', `/Users?filter=${encodeURIComponent('userName eq "never-created@example.com"')}`)).body.totalResults).toBe(0);
    });

    it('checks each operation version like If-Match', async () => {
      const created = await createUser('versioned@example.com');
      const reply = await bulk([
        { method: 'PUT', path: `/Users/${created.id}`, version: 'W/"7"', data: user('versioned@example.com') },
        { method: 'PUT', path: `/Users/${created.id}`, version: 'W/"1"', data: user('versioned@example.com', { title: 'ok' }) },
      ]);
      expect((reply.body.Operations as Json[]).map((o) => o.status)).toEqual(['412', '200']);
    });

    it('refuses more than maxOperations or maxPayloadSize with 413', async () => {
      const many = Array.from({ length: TEST_CAPABILITIES.bulk.maxOperations + 1 }, (_, i) => ({ method: 'DELETE', path: `/Users/x${i}` }));
      expectError(await bulk(many), 413);
      const big = [{ method: 'POST', path: '/Users', bulkId: 'big', data: user('big', { title: 'x'.repeat(TEST_CAPABILITIES.bulk.maxPayloadSize) }) }];
      expectError(await bulk(big), 413);
    });
  });

  describe('3.12 errors', () => {
    it('401 with WWW-Authenticate without a token, 403 without the scim scope', async () => {
      const anonymous = await fixture.app.inject({ method: 'GET', url: '/scim/v2/Users' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer');
      expect(anonymous.json()).toMatchObject({ schemas: [ERROR], status: '401' });
      const reply = await call('GET', '/Users', undefined, { authorization: `Bearer ${fixture.otherToken}` });
      expectError(reply, 403);
    });

    it('404 for an unknown endpoint', async () => {
      expectError(await call('GET', '/Printers'), 404);
      expectError(await call('POST', '/Users/abc/def', {}), 404);
    });
  });

  describe('3.14 versions', () => {
    it('304 on a matching If-None-Match, 200 otherwise', async () => {
      const created = await createUser('etag@example.com');
      const notModified = await call('GET', `/Users/${created.id}`, undefined, { 'if-none-match': 'W/"1"' });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.etag).toBe('W/"1"');
      expect((await call('GET', `/Users/${created.id}`, undefined, { 'if-none-match': 'W/"9"' })).status).toBe(200);
    });

    it('412 on a stale If-Match for PUT, PATCH and DELETE; weak, strong and * forms match', async () => {
      const created = await createUser('ifmatch@example.com');
      const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'T' }] };
      expectError(await call('PUT', `/Users/${created.id}`, user('ifmatch@example.com'), { 'if-match': 'W/"5"' }), 412);
      expectError(await call('PATCH', `/Users/${created.id}`, patch, { 'if-match': '"5"' }), 412);
      expectError(await call('DELETE', `/Users/${created.id}`, undefined, { 'if-match': 'W/"5"' }), 412);
      expect((await call('PATCH', `/Users/${created.id}`, patch, { 'if-match': '"1"' })).headers.etag).toBe('W/"2"');
      expect((await call('PUT', `/Users/${created.id}`, user('ifmatch@example.com'), { 'if-match': 'W/"1", W/"2"' })).status).toBe(200);
      expect((await call('DELETE', `/Users/${created.id}`, undefined, { 'if-match': '*' })).status).toBe(204);
    });
  });

  describe('4 discovery', () => {
    it('ServiceProviderConfig tells the limits the server applies', async () => {
      const config = await call('GET', '/ServiceProviderConfig');
      expect(config.status).toBe(200);
      expect(config.body).toMatchObject({ patch: { supported: true }, bulk: { supported: true }, filter: { supported: true }, etag: { supported: true }, sort: { supported: true } });
      const maxResults = config.body.filter.maxResults as number;
      expect(maxResults).toBe(TEST_CAPABILITIES.filter.maxResults);
      for (let i = 0; i <= maxResults; i += 1) await createUser(`many-${i}@example.com`);
      const page = await call('GET', `/Users?count=${maxResults + 10}`);
      expect(page.body.itemsPerPage).toBeLessThanOrEqual(maxResults);
      expect(page.body.totalResults).toBeGreaterThan(maxResults);
    });

    it('every resource type listed answers at its endpoint and every schema at /Schemas/:id', async () => {
      const types = await call('GET', '/ResourceTypes');
      expect(types.status).toBe(200);
      for (const type of types.body.Resources as Json[]) {
        expect((await call('GET', `${String(type.endpoint)}?count=1`)).status).toBe(200);
        expect((await call('GET', `/ResourceTypes/${String(type.id ?? type.name)}`)).status).toBe(200);
      }
      const schemas = await call('GET', '/Schemas');
      const ids = (schemas.body.Resources as Json[]).map((schema) => String(schema.id));
      expect(ids).toEqual(expect.arrayContaining([USER, GROUP, ENTERPRISE, ACME]));
      for (const id of ids) expect((await call('GET', `/Schemas/${id}`)).body.id).toBe(id);
      expectError(await call('GET', '/Schemas/urn:nope'), 404);
    });

    it('refuses a filter on discovery endpoints with 403', async () => {
      expectError(await call('GET', `/Schemas?filter=${encodeURIComponent('id pr')}`), 403);
    });
  });
});

describe('SCIM server edges', () => {
  it('429 with Retry-After once a token has spent its burst', async () => {
    const fixture = await scimFixture('sqlite::memory:', { rateLimit: { perSecond: 0.5, burst: 2 } });
    try {
      const get = () => fixture.app.inject({ method: 'GET', url: '/scim/v2/Users?count=0', headers: fixture.headers });
      expect((await get()).statusCode).toBe(200);
      expect((await get()).statusCode).toBe(200);
      const limited = await get();
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('2');
      expect(limited.json()).toMatchObject({ schemas: [ERROR], status: '429' });
    } finally {
      await fixture.close();
    }
  });

  it('a failing inbound provisioning hook does not fail the request, and the warning holds no secrets', async () => {
    const log: string[] = [];
    const stream = new Writable({ write(chunk: Buffer, _encoding, done) { log.push(chunk.toString('utf8')); done(); } });
    const fixture = await scimFixture('sqlite::memory:', { onUserChange: async () => { throw new Error('engine down'); } }, stream);
    try {
      const payload = { schemas: [USER], userName: 'x', password: 'Hunter2-secret' };
      const reply = await fixture.app.inject({ method: 'POST', url: '/scim/v2/Users', headers: fixture.headers, payload });
      expect(reply.statusCode).toBe(201);
      const text = log.join('');
      expect(text).toContain('inbound provisioning of a SCIM user change failed');
      expect(text).not.toContain('Hunter2-secret');
      expect(text).not.toContain(String(fixture.headers.authorization).slice('Bearer '.length));
    } finally {
      await fixture.close();
    }
  });

  it('keeps SCIM error bodies inside /scim/v2 only', async () => {
    const fixture = await scimFixture();
    try {
      fixture.app.log.level = 'silent';
      const scim = await fixture.app.inject({ method: 'GET', url: '/scim/v2/Nowhere' });
      expect(scim.headers['content-type']).toBe('application/scim+json; charset=utf-8');
      expect(scim.json()).toMatchObject({ schemas: [ERROR] });
      const outside = await fixture.app.inject({ method: 'GET', url: '/api/v1/elsewhere', headers: fixture.headers });
      expect(outside.statusCode).toBe(404);
      expect(outside.json()).not.toHaveProperty('schemas');
    } finally {
      await fixture.close();
    }
  });

  it('413 for a body over the limit on ordinary endpoints', async () => {
    const fixture = await scimFixture('sqlite::memory:', { bodyLimit: 1000 });
    try {
      const reply = await fixture.app.inject({ method: 'POST', url: '/scim/v2/Users', headers: fixture.headers, payload: { schemas: [USER], userName: 'x'.repeat(2000) } });
      expect(reply.statusCode).toBe(413);
      expect(reply.json()).toMatchObject({ schemas: [ERROR], status: '413' });
    } finally {
      await fixture.close();
    }
  });
});
