import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { startFakeServer, listResponse, SERVICE_PROVIDER_CONFIG, type FakeServer } from './fake-server.js';
import { scimConnectorFactory } from './index.js';
import { scimConnectionSchema } from './config.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that lists no user and answers every POST /Users with this 409 body. */
async function connect(conflict: Record<string, unknown>, mapping?: Record<string, string>): Promise<Connector> {
  server = await startFakeServer((request) => {
    if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
    if (request.method === 'GET') return { body: listResponse([]) };
    return { status: 409, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', ...conflict } };
  });
  const config = scimConnectionSchema.parse({
    baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' }, ...(mapping === undefined ? {} : { mapping }),
  });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
}
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('scim connector: a userName the server holds where Roster cannot list it', () => {
  it('a 409 naming userName that no matchBy search explains says which Roster attribute and value are taken', async () => {
    const connector = await connect({ scimType: 'uniqueness', detail: 'userName is already in use' }, { login: 'userName', mail: 'emails[type eq "work"].value' });
    const error = await failure(connector.create({ attributes: { login: 'ada.lovelace', mail: 'ada@example.com' }, enabled: true }));
    expect(error).toMatchObject({
      code: 'target.conflict', retryable: false,
      details: { status: 409, scimType: 'uniqueness', taken: [{ attribute: 'login', value: 'ada.lovelace' }] },
    });
    expect((error as Error).message).toContain('HTTP 409 (uniqueness: userName is already in use)');
    // It looked for the account by matchBy before and after the POST, and found none.
    expect(server?.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a 409 that names another attribute, or none, says nothing is taken: the clash may not be the userName', async () => {
    for (const detail of ['emails is already in use', 'conflict']) {
      const connector = await connect({ scimType: 'uniqueness', detail });
      const error = await failure(connector.create({ attributes: { userName: 'ada.lovelace', email: 'ada@example.com' }, enabled: true }));
      expect(error).toMatchObject({ code: 'target.conflict', details: { status: 409, scimType: 'uniqueness' } });
      expect((error as { details?: Record<string, unknown> }).details).not.toHaveProperty('taken');
      await server?.close();
    }
  });
});
