import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { scimConnectionSchema } from './config.js';
import { listResponse, SERVICE_PROVIDER_CONFIG, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './fake-server.js';
import { scimConnectorFactory } from './index.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function connect(handle: (request: FakeRequest) => FakeResponse, spc: Record<string, unknown> = SERVICE_PROVIDER_CONFIG, connection: Record<string, unknown> = {}): Promise<Connector> {
  server = await startFakeServer((request) => request.path.endsWith('/ServiceProviderConfig') ? { body: spc } : handle(request));
  const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' }, ...connection });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
}
const failure = (promise: Promise<unknown>) => promise.then((value) => ({ resolved: value }), (error: unknown) => error);
const sent = (method: string) => server?.requests.filter((r) => r.method === method) ?? [];
const USER = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u1', userName: 'ann', active: true, meta: { version: 'W/"1"' } };
const NOT_JSON = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'OK' };

describe('scim http (review 7): a write answered 2xx with a body that is not JSON succeeded', () => {
  it('PATCH answered 200 "OK" is a done update, sent once', async () => {
    const connector = await connect((request) => request.method === 'PATCH' ? NOT_JSON : { body: USER });
    await connector.update('u1', { userName: 'ann2' });
    expect(sent('PATCH')).toHaveLength(1);
  });

  it('PUT (a server without PATCH) answered 200 with an HTML page is a done update', async () => {
    const connector = await connect(
      (request) => request.method === 'PUT' ? { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>saved</html>' } : { body: USER },
      { ...SERVICE_PROVIDER_CONFIG, patch: { supported: false } },
    );
    await connector.update('u1', { userName: 'ann2' });
    expect(sent('PUT')).toHaveLength(1);
    expect((sent('PUT')[0]?.body as { userName?: unknown }).userName).toBe('ann2');
  });

  it('DELETE answered 200 "deleted" is a done delete', async () => {
    const connector = await connect((request) => request.method === 'DELETE' ? { ...NOT_JSON, body: 'deleted' } : { body: USER });
    expect(await failure(connector.delete('u1'))).toEqual({ resolved: undefined });
  });

  it('a GET answered 200 with a body that is not JSON still fails (a read needs the body)', async () => {
    const connector = await connect(() => NOT_JSON, SERVICE_PROVIDER_CONFIG, { maxRetries: 0 });
    expect(await failure(connector.get('u1'))).toMatchObject({ code: 'target.rejected', message: expect.stringContaining('not JSON') });
    const listing = (async () => {
      for await (const _ of connector.list()) { /* drain */ }
    })();
    expect(await failure(listing)).toMatchObject({ code: 'target.rejected', message: expect.stringContaining('not JSON') });
  });

  it('a POST /Users answered 201 with a body that is not JSON finds the account it created (once, no second POST)', async () => {
    let made = false;
    const connector = await connect((request) => {
      if (request.method === 'POST') {
        made = true;
        return { ...NOT_JSON, status: 201 };
      }
      return { body: request.path.endsWith('/Users') ? listResponse(made ? [USER] : []) : USER };
    });
    expect(await connector.create({ attributes: { userName: 'ann' }, enabled: true })).toMatchObject({ accountId: 'u1' });
    expect(sent('POST')).toHaveLength(1);
  });

  it('a POST /Users answered 201 without the resource, whose account no search finds, is still a failure', async () => {
    const connector = await connect((request) => request.method === 'POST' ? { ...NOT_JSON, status: 201 } : { body: listResponse([]) });
    expect(await failure(connector.create({ attributes: { userName: 'ann' }, enabled: true }))).toMatchObject({ code: 'target.rejected', message: expect.stringContaining('no id') });
  });
});

describe('scim http (review 7): 408 Request Timeout and 410 Gone', () => {
  it('a GET answered 408 is retried (after the Retry-After given) and then succeeds', async () => {
    let calls = 0;
    const connector = await connect(() => ++calls === 1 ? { status: 408, headers: { 'retry-after': '0' }, body: { status: '408' } } : { body: USER });
    expect(await connector.get('u1')).toMatchObject({ accountId: 'u1' });
    expect(sent('GET').filter((r) => r.path.endsWith('/Users/u1'))).toHaveLength(2);
  });

  it('a write answered 408 is a retryable failure carrying the Retry-After', async () => {
    const connector = await connect((request) => request.method === 'PATCH' ? { status: 408, headers: { 'retry-after': '7' } } : { body: USER });
    expect(await failure(connector.update('u1', { userName: 'ann2' }))).toMatchObject({ code: 'target.unavailable', retryable: true, retryAfterMs: 7000 });
  });

  it('DELETE answered 410 Gone is a done delete (idempotent, like 404)', async () => {
    const connector = await connect((request) => request.method === 'DELETE' ? { status: 410, body: { status: '410', detail: 'gone' } } : { body: USER });
    expect(await failure(connector.delete('u1'))).toEqual({ resolved: undefined });
  });

  it('GET /Users/{id} answered 410 Gone is "no such account", like 404', async () => {
    const connector = await connect(() => ({ status: 410, body: { status: '410', detail: 'gone' } }));
    expect(await connector.get('u1')).toBeUndefined();
  });
});
