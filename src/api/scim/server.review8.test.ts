import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema } from '../../../test/support/pg.js';
import { scimFixture, TEST_CAPABILITIES, type ScimFixture } from './testing.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

let fixture: ScimFixture | undefined;
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  await drop?.();
  drop = undefined;
});

async function open(dialect: 'sqlite' | 'postgres', overrides: Parameters<typeof scimFixture>[1] = {}): Promise<ScimFixture> {
  let url = 'sqlite::memory:';
  if (dialect === 'postgres') {
    const schema = await freshSchema('roster_r8_scim');
    url = schema.url;
    drop = schema.drop;
  }
  fixture = await scimFixture(url, overrides);
  return fixture;
}

function send(f: ScimFixture, method: string, url: string, payload?: string, headers: Record<string, string> = {}) {
  return f.app.inject({ method: method as 'GET', url, headers: { ...f.headers, ...headers }, ...(payload === undefined ? {} : { payload }) });
}

function expectScimError(res: { statusCode: number; json(): any; headers: Record<string, unknown> }, status: number): void {
  expect(res.statusCode).toBe(status);
  expect(res.json()).toMatchObject({ schemas: [ERROR], status: String(status), detail: expect.any(String) });
  expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
}

/**
 * A resource id holding U+0000 went to PostgreSQL as a bound value and came
 * back as a 500. No resource can have such an id (ids are UUIDs the server
 * draws), so it is a 404 as any unknown id, on both back ends.
 */
describe.each(['sqlite', 'postgres'] as const)('SCIM ids PostgreSQL cannot hold are 404 (review8, %s)', (dialect) => {
  it.each([
    ['GET', undefined],
    ['PUT', JSON.stringify({ schemas: [USER], userName: 'x' })],
    ['PATCH', JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 't' }] })],
    ['DELETE', undefined],
  ])('%s /Users/a%00b', async (method, payload) => {
    const f = await open(dialect);
    expectScimError(await send(f, method, '/scim/v2/Users/a%00b', payload), 404);
    expectScimError(await send(f, method, '/scim/v2/Groups/%00', payload?.replace('userName', 'displayName').replace(USER, 'urn:ietf:params:scim:schemas:core:2.0:Group')), 404);
  });

  it('a Bulk operation on such a path fails alone with 404', async () => {
    const f = await open(dialect);
    const body = { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: '/Users/\u0000' }, { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER], userName: 'a' } }] };
    const res = await send(f, 'POST', '/scim/v2/Bulk', JSON.stringify(body));
    expect(res.statusCode).toBe(200);
    expect(res.json().Operations.map((op: { status: string }) => op.status)).toEqual(['404', '201']);
  });
});

/**
 * The bulkId walkers (referencedBulkIds, resolveBulkIds) recursed into an
 * operation's data without a bound: a 60 KiB body of nested arrays overflowed
 * the stack and the whole request was a 500. Data nested deeper than any
 * SCIM resource can be is refused on its operation (400), the rest runs.
 */
describe('Bulk data nested too deep (review8)', () => {
  it.each([
    ['arrays', (n: number) => '['.repeat(n) + ']'.repeat(n)],
    ['objects', (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)],
  ])('deeply nested %s fail their operation with 400, not the request with 500', async (_kind, nest) => {
    const f = await open('sqlite', { capabilities: { ...TEST_CAPABILITIES, bulk: { maxOperations: 50, maxPayloadSize: 1024 * 1024 } } });
    const deep = nest(20_000);
    const payload = `{"schemas":["${BULK_REQUEST}"],"Operations":[`
      + `{"method":"POST","path":"/Users","bulkId":"d","data":${deep}},`
      + `{"method":"PATCH","path":"/Users/x","data":{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":${deep}}]}},`
      + `{"method":"POST","path":"/Users","bulkId":"ok","data":{"schemas":["${USER}"],"userName":"ok"}}]}`;
    expect(payload.length).toBeLessThan(1024 * 1024);
    const res = await send(f, 'POST', '/scim/v2/Bulk', payload);
    expect(res.statusCode).toBe(200);
    const operations = res.json().Operations as { status: string; response?: { detail: string; scimType?: string } }[];
    expect(operations.map((op) => op.status)).toEqual(['400', '400', '201']);
    expect(operations[0]!.response).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/nested/) });
  });
});

/**
 * The per-token rate limit took one token per HTTP request, so a /Bulk of
 * maxOperations writes cost what one GET costs: a client could write
 * maxOperations × perSecond resources a second. A Bulk now costs one token
 * per operation (the request is let through when a token is there; the rest
 * is owed, so the requests after it wait).
 */
describe('Bulk operations count against the rate limit (review8)', () => {
  it('a Bulk of 20 operations uses up 20 tokens of the bucket', async () => {
    const f = await open('sqlite', { rateLimit: { perSecond: 0.001, burst: 10 } });
    const operations = Array.from({ length: 20 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: { schemas: [USER], userName: `u${i}` } }));
    const bulk = await send(f, 'POST', '/scim/v2/Bulk', JSON.stringify({ schemas: [BULK_REQUEST], Operations: operations }));
    expect(bulk.statusCode).toBe(200);
    expect(bulk.json().Operations).toHaveLength(20);
    const next = await send(f, 'GET', '/scim/v2/Users?count=1');
    expectScimError(next, 429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(1000);
  });

  it('plain requests still take one token each', async () => {
    const f = await open('sqlite', { rateLimit: { perSecond: 0.001, burst: 3 } });
    for (let i = 0; i < 3; i += 1) expect((await send(f, 'GET', '/scim/v2/Users?count=1')).statusCode).toBe(200);
    expectScimError(await send(f, 'GET', '/scim/v2/Users?count=1'), 429);
  });
});

/**
 * If-Match: an unquoted value is not an entity tag (RFC 9110 §8.8.3), but it
 * was kept as text and compared with the bare version number, so `If-Match: 1`
 * matched W/"1". A malformed tag must never match (412).
 */
describe('If-Match with a malformed entity tag (review8)', () => {
  it('never matches', async () => {
    const f = await open('sqlite');
    const created = await send(f, 'POST', '/scim/v2/Users', JSON.stringify({ schemas: [USER], userName: 'ada' }));
    expect(created.headers.etag).toBe('W/"1"');
    const id = created.json().id as string;
    const body = JSON.stringify({ schemas: [USER], userName: 'ada2' });
    for (const tag of ['1', 'W/1', '"1', '1"']) {
      expectScimError(await send(f, 'PUT', `/scim/v2/Users/${id}`, body, { 'if-match': tag }), 412);
    }
    expectScimError(await send(f, 'DELETE', `/scim/v2/Users/${id}`, undefined, { 'if-match': '1' }), 412);
    expect((await send(f, 'GET', `/scim/v2/Users/${id}`, undefined, { 'if-none-match': '1' })).statusCode).toBe(200);
    // Well-formed tags still match, weak or strong, alone or in a list.
    expect((await send(f, 'PUT', `/scim/v2/Users/${id}`, body, { 'if-match': '"x", W/"1"' })).statusCode).toBe(200);
    expect((await send(f, 'GET', `/scim/v2/Users/${id}`, undefined, { 'if-none-match': '"2"' })).statusCode).toBe(304);
  });
});
