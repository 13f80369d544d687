import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import type { Connector, Logger } from '../types.js';
import { startFakeServer, listResponse, SERVICE_PROVIDER_CONFIG, type FakeRequest, type FakeResponse, type FakeServer } from './fake-server.js';
import { scimConnectorFactory } from './index.js';
import { scimConnectionSchema } from './config.js';

const TOKEN = 'sekrit-token-value';
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Logged {
  readonly log: Logger;
  readonly warnings: string[];
}
function logger(): Logged {
  const warnings: string[] = [];
  const log: Logger = { debug() {}, info() {}, error() {}, warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`) };
  return { log, warnings };
}

async function connect(handle: (request: FakeRequest) => FakeResponse, connection: Record<string, unknown> = {}, log: Logger = logger().log): Promise<Connector> {
  server = await startFakeServer(handle);
  const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: TOKEN }, ...connection });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log });
}

const user = (id: string) => ({ id, userName: `u${id}`, active: true, groups: [] });
const users = (ids: readonly string[]) => ids.map(user);
async function collect(connector: Connector): Promise<string[]> {
  const ids: string[] = [];
  for await (const account of connector.list()) ids.push(account.accountId);
  return ids;
}
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('scim connector: discovery', () => {
  it('check() names the URL and the status of a 401 on discovery, not the token, and it is not retryable', async () => {
    const connector = await connect(() => ({ status: 401, body: { detail: 'bad token' } }));
    const error = await failure(connector.check());
    expect(isRosterError(error, 'target.rejected')).toBe(true);
    const { message, retryable } = error as { message: string; retryable: boolean };
    expect(message).toContain(`GET ${server?.url}/scim/v2/ServiceProviderConfig`);
    expect(message).toContain('HTTP 401');
    expect(message).not.toContain(TOKEN);
    expect(retryable).toBe(false);
  });

  it('a server that answers discovery with something not JSON: check() says so', async () => {
    const connector = await connect(() => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' }));
    await expect(connector.check()).rejects.toThrow(/SCIM discovery failed: .*ServiceProviderConfig.*HTTP 200 but the answer is not JSON/);
  });

  it('falls back to the capabilities the profile declares, warning once', async () => {
    const { log, warnings } = logger();
    const connector = await connect((request) => (request.path.endsWith('/ServiceProviderConfig') ? { status: 404 } : { body: listResponse(users(['1'])) }), { profile: 'slack' }, log);
    expect(await collect(connector)).toEqual(['1']);
    expect(await collect(connector)).toEqual(['1']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('HTTP 404');
    expect(warnings[0]).not.toContain(TOKEN);
    expect(server?.requests.filter((r) => r.path.endsWith('/ServiceProviderConfig'))).toHaveLength(1);
  });

  it('without declared capabilities (generic), a failed discovery fails the operation', async () => {
    const connector = await connect((request) => (request.path.endsWith('/ServiceProviderConfig') ? { status: 404 } : { body: listResponse([]) }));
    const error = await failure(collect(connector));
    expect(isRosterError(error, 'target.not_found')).toBe(true);
  });

  it('uses filter.maxResults as the page size and sends roster/<version> as user-agent', async () => {
    const connector = await connect((request) => (request.path.endsWith('/ServiceProviderConfig') ? { body: SERVICE_PROVIDER_CONFIG } : { body: listResponse([]) }));
    await collect(connector);
    const list = server?.requests.find((r) => r.path.endsWith('/Users'));
    expect(list?.query.get('count')).toBe('50');
    expect(list?.headers['user-agent']).toMatch(/^roster\/\d+\.\d+\.\d+/);
    expect(list?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('scim connector: rate limits and failures', () => {
  it('a 429 on a write is target.rate_limited with Retry-After in ms (the executor waits, not the connector)', async () => {
    const connector = await connect((request) => {
      if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
      if (request.method === 'GET') return { body: listResponse([]) };
      return { status: 429, headers: { 'retry-after': '30' }, body: { status: '429', detail: 'slow down' } };
    });
    const error = await failure(connector.create({ attributes: { userName: 'ada' }, enabled: true }));
    expect(error).toMatchObject({ code: 'target.rate_limited', retryable: true, retryAfterMs: 30_000 });
    expect(server?.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a 429 on a read with a short Retry-After (HTTP date) is waited out and retried', async () => {
    let limited = 1;
    const connector = await connect((request) => {
      if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
      if (limited-- > 0) return { status: 429, headers: { 'retry-after': new Date(Date.now() - 1000).toUTCString() } };
      return { body: listResponse(users(['1', '2'])) };
    });
    expect(await collect(connector)).toEqual(['1', '2']);
    expect(server?.requests.filter((r) => r.path.endsWith('/Users'))).toHaveLength(2);
  });

  it('a read told to wait an hour is not held: it fails with the wait for the executor', async () => {
    const connector = await connect((request) => (request.path.endsWith('/ServiceProviderConfig')
      ? { body: SERVICE_PROVIDER_CONFIG }
      : { status: 429, headers: { 'retry-after': '3600' } }));
    expect(await failure(connector.get('1'))).toMatchObject({ code: 'target.rate_limited', retryAfterMs: 3_600_000 });
  });

  it('a 503 on a read is retried maxRetries times, then target.unavailable', async () => {
    const connector = await connect((request) => (request.path.endsWith('/ServiceProviderConfig') ? { body: SERVICE_PROVIDER_CONFIG } : { status: 503 }), { maxRetries: 2 });
    expect(await failure(connector.get('1'))).toMatchObject({ code: 'target.unavailable', retryable: true });
    expect(server?.requests.filter((r) => r.path.endsWith('/Users/1'))).toHaveLength(3);
  });

  it('a refused connection is target.unavailable and retryable', async () => {
    const connector = await connect(() => ({ body: SERVICE_PROVIDER_CONFIG }), { maxRetries: 0 });
    await server?.close();
    server = undefined;
    const error = await failure(connector.check());
    expect(error).toMatchObject({ code: 'target.unavailable', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });
});

describe('scim connector: paging against odd servers', () => {
  const serve = (page: (start: number, count: number) => { resources: unknown[]; total: number }) => (request: FakeRequest): FakeResponse => {
    if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
    const { resources, total } = page(Number(request.query.get('startIndex')), Number(request.query.get('count')));
    return { body: listResponse(resources, total) };
  };
  const all = users(['1', '2', '3', '4', '5']);

  it('a server that ignores count and sends everything: one request, every account once', async () => {
    const connector = await connect(serve(() => ({ resources: all, total: 5 })), { pageSize: 2 });
    expect(await collect(connector)).toEqual(['1', '2', '3', '4', '5']);
    expect(server?.requests.filter((r) => r.path.endsWith('/Users'))).toHaveLength(1);
  });

  it('a server that returns fewer than asked: pages by what it returned until totalResults', async () => {
    const connector = await connect(serve((start) => ({ resources: all.slice(start - 1, start + 1), total: 5 })), { pageSize: 50 });
    expect(await collect(connector)).toEqual(['1', '2', '3', '4', '5']);
    expect(server?.requests.filter((r) => r.path.endsWith('/Users')).map((r) => r.query.get('startIndex'))).toEqual(['1', '3', '5']);
  });

  it('a server that ignores startIndex: an error, not half a list', async () => {
    const connector = await connect(serve((_start, count) => ({ resources: all.slice(0, count), total: 5 })), { pageSize: 2 });
    const error = await failure(collect(connector));
    expect(isRosterError(error, 'target.rejected')).toBe(true);
    expect((error as Error).message).toContain('ignores startIndex');
  });

  it('cursor paging (aws profile): follows nextCursor, never sends startIndex', async () => {
    const connector = await connect((request) => {
      if (request.path.endsWith('/ServiceProviderConfig')) return { body: { ...SERVICE_PROVIDER_CONFIG, filter: { supported: true, maxResults: 100 } } };
      if (request.path.endsWith('/Groups')) return { body: listResponse([]) };
      const cursor = request.query.get('cursor');
      return { body: cursor === '' ? { Resources: all.slice(0, 3), itemsPerPage: 3, nextCursor: 'c2' } : { Resources: all.slice(3), itemsPerPage: 2 } };
    }, { profile: 'aws' });
    const listed: string[] = [];
    for await (const account of connector.list()) listed.push(account.accountId);
    expect(listed).toEqual(['1', '2', '3', '4', '5']);
    const lists = server?.requests.filter((r) => r.path.endsWith('/Users')) ?? [];
    expect(lists.map((r) => r.query.get('cursor'))).toEqual(['', 'c2']);
    expect(lists.every((r) => !r.query.has('startIndex'))).toBe(true);
  });
});

describe('scim connector: oauth2 client credentials', () => {
  const oauth = (tokenUrl: string) => ({ auth: { type: 'oauth2', tokenUrl, clientId: 'roster', clientSecret: 'client-secret', scope: 'scim' } });

  /** A token endpoint and a SCIM endpoint on one fake: tokens are t1, t2, …; `accepted` says which still work. */
  async function oauthServer(expiresIn: number, accepted: (token: string) => boolean): Promise<{ connector: Connector; tokenRequests: () => FakeRequest[] }> {
    let issued = 0;
    const handle = (request: FakeRequest): FakeResponse => {
      if (request.path === '/token') {
        const basic = `Basic ${Buffer.from('roster:client-secret').toString('base64')}`;
        if (request.headers.authorization !== basic) return { status: 401, body: { error: 'invalid_client' } };
        issued += 1;
        return { body: { access_token: `t${issued}`, token_type: 'Bearer', expires_in: expiresIn } };
      }
      const token = request.headers.authorization?.replace('Bearer ', '') ?? '';
      if (!accepted(token)) return { status: 401 };
      return { body: request.path.endsWith('/ServiceProviderConfig') ? SERVICE_PROVIDER_CONFIG : listResponse([]) };
    };
    server = await startFakeServer(handle);
    const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, ...oauth(`${server.url}/token`) });
    const connector = scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: logger().log });
    return { connector, tokenRequests: () => server?.requests.filter((r) => r.path === '/token') ?? [] };
  }

  it('gets one token with the client credentials grant and reuses it until shortly before it expires', async () => {
    const { connector, tokenRequests } = await oauthServer(3600, () => true);
    await connector.check();
    await collect(connector);
    await collect(connector);
    expect(tokenRequests()).toHaveLength(1);
    expect(String(tokenRequests()[0]?.body)).toBe('grant_type=client_credentials&scope=scim');
  });

  it('a token within a minute of expiry (or past half its life, when shorter) is replaced before use', async () => {
    const { connector, tokenRequests } = await oauthServer(3600, () => true);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await collect(connector);
      vi.setSystemTime(Date.now() + 3_541_000); // 59 s before it expires
      await collect(connector);
    } finally {
      vi.useRealTimers();
    }
    expect(tokenRequests()).toHaveLength(2);
  });

  it('a 401 drops the cached token and retries once with a new one', async () => {
    let revokedBefore = 0;
    const { connector, tokenRequests } = await oauthServer(3600, (token) => Number(token.slice(1)) > revokedBefore);
    await collect(connector);
    revokedBefore = 1; // t1 revoked by the server (rotated keys)
    expect(await collect(connector)).toEqual([]);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('a 401 that a new token does not cure is target.rejected, after exactly one refresh', async () => {
    const { connector, tokenRequests } = await oauthServer(3600, () => false);
    const error = await failure(collect(connector));
    expect(error).toMatchObject({ code: 'target.rejected', retryable: false });
    expect(tokenRequests()).toHaveLength(2);
  });

  it('a refused client is target.rejected naming the token URL, not the secret', async () => {
    server = await startFakeServer(() => ({ status: 401, body: { error: 'invalid_client' } }));
    const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, ...oauth(`${server.url}/token`) });
    const connector = scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: logger().log });
    const error = await failure(connector.check());
    expect(error).toMatchObject({ code: 'target.rejected' });
    expect((error as Error).message).toContain(`POST ${server.url}/token on app: HTTP 401 (invalid_client)`);
    expect((error as Error).message).not.toContain('client-secret');
  });
});
