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
  it('a 409 that no matchBy search explains stays a conflict and is not reported as taken by someone else', async () => {
    // The holder may be this person's own account the server hides (deactivated): another name would be a second account.
    for (const detail of ['userName is already in use', 'emails is already in use', 'conflict']) {
      const connector = await connect({ scimType: 'uniqueness', detail }, { login: 'userName', mail: 'emails[type eq "work"].value' });
      const error = await failure(connector.create({ attributes: { login: 'ada.lovelace', mail: 'ada@example.com' }, enabled: true }));
      expect(error).toMatchObject({ code: 'target.conflict', retryable: false, details: { status: 409, scimType: 'uniqueness' } });
      expect((error as { details?: Record<string, unknown> }).details).not.toHaveProperty('taken');
      expect(server?.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      await server?.close();
    }
  });
});
