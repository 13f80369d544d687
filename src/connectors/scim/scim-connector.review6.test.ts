import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { scimConnectionSchema } from './config.js';
import { listResponse, SERVICE_PROVIDER_CONFIG, startFakeServer, type FakeServer } from './fake-server.js';
import { scimConnectorFactory } from './index.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server holding one user; POST /Users is a 409 (the userName is taken). */
async function holding(existing: Record<string, unknown>): Promise<Connector> {
  server = await startFakeServer((request) => {
    if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
    if (request.method === 'GET' && request.path.endsWith('/Users')) return { body: listResponse([existing]) };
    if (request.method === 'GET') return { body: existing };
    if (request.method === 'POST') return { status: 409, body: { scimType: 'uniqueness', detail: 'userName taken' } };
    return { status: 204 };
  });
  const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' } });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
}
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('scim connector (review 6): adopting an account that is provably someone else\'s', () => {
  it('an account with the same userName but another externalId is a conflict, and is not changed', async () => {
    // The departed j.smith (E-1) still has an account; the new hire j.smith (E-2) must not inherit it.
    const connector = await holding({ id: 'u1', userName: 'j.smith', externalId: 'E-1', active: false, emails: [{ type: 'work', value: 'j.smith@example.com' }] });
    const error = await failure(connector.create({ attributes: { userName: 'j.smith', externalId: 'E-2', email: 'j.smith@example.com' }, enabled: true }));
    expect(error).toMatchObject({ code: 'target.conflict', retryable: false });
    expect(server?.requests.filter((r) => r.method === 'PATCH' || r.method === 'PUT')).toEqual([]);
  });

  it('the same externalId, or none on the account, is still adopted (a retry after a lost answer, a pre-existing account)', async () => {
    for (const externalId of ['E-2', undefined]) {
      const connector = await holding({ id: 'u1', userName: 'j.smith', ...(externalId === undefined ? {} : { externalId }), active: true });
      const adopted = await connector.create({ attributes: { userName: 'j.smith', externalId: 'E-2' }, enabled: true });
      expect(adopted.accountId).toBe('u1');
      await server?.close();
    }
  });
});

describe('scim connector without PATCH (review 6): GET, change, PUT', () => {
  it('an attribute someone else changed between the GET and the PUT is kept (If-Match with meta.version, again on 412)', async () => {
    let version = 1;
    let stored: Record<string, unknown> = { id: 'u1', userName: 'ada', displayName: 'Ada', title: 'Engineer', active: true };
    let raced = false;
    const current = () => ({ ...stored, meta: { resourceType: 'User', version: `W/"${version}"` } });
    server = await startFakeServer((request) => {
      if (request.path.endsWith('/ServiceProviderConfig')) return { body: { ...SERVICE_PROVIDER_CONFIG, patch: { supported: false } } };
      if (request.method === 'GET') {
        const answer = current();
        if (!raced) {
          raced = true; // someone else promotes Ada right after this read
          stored = { ...stored, title: 'Director' };
          version++;
        }
        return { body: answer };
      }
      if (request.method === 'PUT') {
        const ifMatch = request.headers['if-match'];
        if (ifMatch !== undefined && ifMatch !== `W/"${version}"`) return { status: 412, body: { status: '412' } };
        const { meta: _meta, ...rest } = request.body as Record<string, unknown>;
        stored = rest;
        version++;
        return { body: current() };
      }
      return { status: 405 };
    });
    const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' } });
    const connector = scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
    await connector.update('u1', { displayName: 'Ada Lovelace' });
    expect(stored).toMatchObject({ displayName: 'Ada Lovelace', title: 'Director' });
  });
});

describe('scim connector without PATCH (review 6): a server that refuses every If-Match', () => {
  it('refusing the version it still reports (strict comparison of weak ETags): the PUT goes without If-Match', async () => {
    let stored: Record<string, unknown> = { id: 'u1', userName: 'ada', displayName: 'Ada', active: true, meta: { version: 'W/"7"' } };
    server = await startFakeServer((request) => {
      if (request.path.endsWith('/ServiceProviderConfig')) return { body: { ...SERVICE_PROVIDER_CONFIG, patch: { supported: false } } };
      if (request.method === 'GET') return { body: stored };
      if (request.method === 'PUT') {
        if (request.headers['if-match'] !== undefined) return { status: 412, body: { status: '412' } };
        stored = { ...(request.body as Record<string, unknown>), meta: { version: 'W/"8"' } };
        return { body: stored };
      }
      return { status: 405 };
    });
    const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' } });
    const connector = scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
    await connector.update('u1', { displayName: 'Ada Lovelace' });
    expect(stored).toMatchObject({ displayName: 'Ada Lovelace' });
    expect(server.requests.filter((r) => r.method === 'PUT').map((r) => r.headers['if-match'] ?? null)).toEqual(['W/"7"', null]);
  });
});
