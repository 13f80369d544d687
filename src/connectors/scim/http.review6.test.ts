import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { scimConnectionSchema } from './config.js';
import { listResponse, SERVICE_PROVIDER_CONFIG } from './fake-server.js';
import { scimConnectorFactory } from './index.js';

/** A raw server: the tests here need answers fake-server.ts cannot give (a body that stalls or is cut). */
interface Raw {
  readonly url: string;
  readonly seen: string[];
  close(): Promise<void>;
}
const servers: Raw[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function raw(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Raw> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const result: Raw = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  servers.push(result);
  return result;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/scim+json' });
  res.end(JSON.stringify(body));
}

function connector(baseUrl: string, connection: Record<string, unknown> = {}): Connector {
  const config = scimConnectionSchema.parse({
    baseUrl: `${baseUrl}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 'sekrit' }, maxRetries: 0, timeoutMs: 400, ...connection,
  });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
}
const failure = (promise: Promise<unknown>) => promise.then((value) => ({ resolved: value }), (error: unknown) => error);

describe('scim http (review 6): an answer whose body does not arrive whole', () => {
  it('GET /Users/{id} whose 200 body stalls past the timeout is a retryable failure, not "no such account"', async () => {
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      res.writeHead(200, { 'content-type': 'application/scim+json' });
      res.write('{"id":"1","userName":'); // and nothing more
    });
    const error = await failure(connector(server.url).get('1'));
    expect(error).toMatchObject({ code: 'target.unavailable', retryable: true });
  });

  it('a list whose second page is cut mid-body fails, rather than ending early (half a list reads as accounts gone)', async () => {
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      const start = new URL(req.url ?? '/', 'http://x').searchParams.get('startIndex');
      if (start === '1') return json(res, 200, listResponse(Array.from({ length: 50 }, (_, i) => ({ id: `${i}`, userName: `u${i}` })), 80));
      res.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': '5000' });
      res.write('{"Resources":[{"id":"x"');
      setTimeout(() => res.destroy(), 20);
    });
    const ids: string[] = [];
    const error = await failure((async () => {
      for await (const account of connector(server.url).list()) ids.push(account.accountId);
    })());
    expect(ids).toHaveLength(50);
    expect(error).toMatchObject({ code: 'target.unavailable', retryable: true });
  });

  it('a 200 GET /Users/{id} answered with something that is not a resource is refused, not read as an account', async () => {
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      json(res, 200, listResponse([]));
    });
    const error = await failure(connector(server.url).get('1'));
    expect(error).toMatchObject({ code: 'target.rejected' });
  });

  it('an error whose body never ends is reported at once with its status, without reading the body to the timeout', async () => {
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        if (!res.destroyed && res.write(chunk)) setImmediate(pump);
        else if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const started = Date.now();
    const error = await failure(connector(server.url, { timeoutMs: 3000 }).update('1', { displayName: 'x' }));
    expect(error).toMatchObject({ code: 'target.unavailable', retryable: true, details: { status: 500 } });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('scim http (review 6): redirects', () => {
  it('a PATCH redirected to another origin is not sent there, and the update fails naming the redirect', async () => {
    const elsewhere = await raw((_req, res) => json(res, 200, { id: '1' }));
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      res.writeHead(307, { location: `${elsewhere.url}/scim/v2/Users/1?token=abc` });
      res.end();
    });
    const error = await failure(connector(server.url).update('1', { displayName: 'Ada' }));
    expect(elsewhere.seen).toEqual([]);
    expect(error).toMatchObject({ code: 'target.rejected', details: { status: 307 } });
    expect((error as Error).message).toContain(`${elsewhere.url}/scim/v2/Users/1`);
    expect((error as Error).message).not.toContain('token=abc');
  });
});

describe('scim http (review 6): resource ids that are URL dot-segments', () => {
  it('an account id "." or ".." never turns into a request on the base URL or its parent', async () => {
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      json(res, 200, listResponse([]));
    });
    const scim = connector(server.url);
    for (const id of ['.', '..', '']) {
      expect(await failure(scim.delete(id))).toMatchObject({ code: 'target.rejected' });
      expect(await failure(scim.get(id))).toMatchObject({ code: 'target.rejected' });
    }
    expect(server.seen.filter((s) => !s.includes('ServiceProviderConfig'))).toEqual([]);
  });
});

describe('scim config (review 6): credentials in a URL', () => {
  it('a baseUrl or tokenUrl with user:password@ is refused (fetch would repeat the password in its error)', () => {
    expect(scimConnectionSchema.safeParse({ baseUrl: 'https://u:pw@app.example.com/scim/v2', auth: { type: 'bearer', token: 't' } }).success).toBe(false);
    expect(scimConnectionSchema.safeParse({
      baseUrl: 'https://app.example.com/scim/v2', auth: { type: 'oauth2', tokenUrl: 'https://id:secret@login.example.com/token', clientId: 'c', clientSecret: 's' },
    }).success).toBe(false);
    expect(scimConnectionSchema.safeParse({ baseUrl: 'https://app.example.com/scim/v2', auth: { type: 'bearer', token: 't' } }).success).toBe(true);
  });
});

describe('scim http (review 6): a server that echoes the credential', () => {
  it('a 401 or 400 whose detail repeats the bearer token does not carry it into the error', async () => {
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      json(res, 400, { scimType: 'invalidValue', detail: `request with ${req.headers.authorization ?? ''} refused` });
    });
    const error = await failure(connector(server.url, { auth: { type: 'bearer', token: 'tok-3f9a1c77' } }).update('1', { displayName: 'x' }));
    expect(error).toMatchObject({ code: 'target.rejected', details: { status: 400 } });
    expect((error as Error).message).toContain('refused');
    expect((error as Error).message).not.toContain('tok-3f9a1c77');
  });
});

describe('scim oauth2 (review 6): a token answer whose body does not arrive whole', () => {
  it('is a retryable failure of the token request, not "answered without an access_token"', async () => {
    const server = await raw((req, res) => {
      if (req.url === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"access_token":"abc'); // and nothing more
        return;
      }
      json(res, 200, req.url?.endsWith('/ServiceProviderConfig') ? SERVICE_PROVIDER_CONFIG : listResponse([]));
    });
    const scim = connector(server.url, { auth: { type: 'oauth2', tokenUrl: `${server.url}/token`, clientId: 'c', clientSecret: 's' } });
    const error = await failure(scim.check());
    expect(error).toMatchObject({ code: 'target.unavailable', retryable: true });
  });
});

describe('scim http (review 6): the query string', () => {
  it('a filter reaches a server that decodes the query as RFC 3986 (no `+` for a space) intact, a `+` in the value included', async () => {
    const filters: string[] = [];
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      const match = /[?&]filter=([^&]*)/.exec(req.url ?? '');
      if (match?.[1] !== undefined) filters.push(decodeURIComponent(match[1]));
      json(res, 200, listResponse([]));
    });
    await failure(connector(server.url, { matchBy: ['userName'] }).create({ attributes: { userName: 'ada+test@example.com' }, enabled: true }));
    expect(filters[0]).toBe('userName eq "ada+test@example.com"');
  });
});

describe('scim http (review 6): a success whose body never ends', () => {
  it('is refused once past the size no SCIM answer reaches, not buffered until memory or the timeout runs out', async () => {
    const server = await raw((req, res) => {
      if (req.url?.endsWith('/ServiceProviderConfig')) return json(res, 200, SERVICE_PROVIDER_CONFIG);
      res.writeHead(200, { 'content-type': 'application/scim+json' });
      res.write('{"id":"1","junk":"');
      const chunk = 'x'.repeat(1024 * 1024);
      const pump = () => {
        if (!res.destroyed && res.write(chunk)) setImmediate(pump);
        else if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const error = await failure(connector(server.url, { timeoutMs: 20_000 }).get('1'));
    expect(error).toMatchObject({ code: 'target.rejected', details: { status: 200 } });
    expect((error as Error).message).toContain('MiB');
  }, 15_000);
});
