import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { scimConnectionSchema } from './config.js';
import { scimConnectorFactory } from './index.js';

/** A SCIM server that takes requests and never answers (a hung application). */
let server: Server;
let url = '';
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req) => { seen.push(`${req.method} ${req.url}`); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('closing a SCIM connector with a request under way to a silent server', () => {
  it('ends the request at once, and retries nothing after (status --check of a hung target must let the process exit)', async () => {
    const config = scimConnectionSchema.parse({
      baseUrl: `${url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 'sekrit' }, maxRetries: 2, timeoutMs: 30_000,
    });
    const connector = scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
    const checking = connector.check().then(() => 'answered', (error: unknown) => error);
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toHaveLength(1);
    const started = Date.now();
    await connector.close();
    const outcome = await checking;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(outcome).toMatchObject({ code: 'target.unavailable' });
    // The GET is not retried once the connector is closed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toHaveLength(1);
  });
});
