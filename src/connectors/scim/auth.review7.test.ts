import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { refreshAt } from './auth.js';
import { scimConnectionSchema } from './config.js';
import { listResponse, SERVICE_PROVIDER_CONFIG, startFakeServer, type FakeServer } from './fake-server.js';
import { scimConnectorFactory } from './index.js';

let server: FakeServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

/** A token endpoint issuing t1, t2, … that live `expiresIn` seconds, and a SCIM endpoint with no users. */
async function oauth(expiresIn: number): Promise<{ connector: Connector; tokens: () => number }> {
  let issued = 0;
  server = await startFakeServer((request) => {
    if (request.path === '/token') return { body: { access_token: `t${++issued}`, token_type: 'Bearer', expires_in: expiresIn } };
    return { body: request.path.endsWith('/ServiceProviderConfig') ? SERVICE_PROVIDER_CONFIG : listResponse([]) };
  });
  const config = scimConnectionSchema.parse({
    baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'oauth2', tokenUrl: `${server.url}/token`, clientId: 'c', clientSecret: 's' },
  });
  return { connector: scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger }), tokens: () => issued };
}

async function listAll(connector: Connector): Promise<void> {
  for await (const _ of connector.list()) { /* drain */ }
}

describe('scim oauth2 (review 7): a token that lives less than the refresh margin', () => {
  it('a 30 s token is reused for about 15 s, not fetched again for every request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { connector, tokens } = await oauth(30);
    await listAll(connector);
    await listAll(connector);
    vi.setSystemTime(Date.now() + 10_000);
    await listAll(connector);
    expect(tokens()).toBe(1);
    vi.setSystemTime(Date.now() + 6_000); // 16 s after it was issued: replaced before use
    await listAll(connector);
    expect(tokens()).toBe(2);
  });

  it('the margin is a minute for long tokens and half the life for short ones', () => {
    expect(refreshAt(3_600_000, 0)).toBe(3_540_000);
    expect(refreshAt(120_000, 0)).toBe(60_000);
    expect(refreshAt(30_000, 0)).toBe(15_000);
    expect(refreshAt(1_000, 0)).toBe(500);
  });
});
