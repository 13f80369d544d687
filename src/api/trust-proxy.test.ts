import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../engine/index.js';
import type { Engine } from '../engine/types.js';
import { buildServer } from './server.js';
import { createToken } from './tokens.js';

/** `server.trustProxy`: URLs the SCIM server hands out name the public host only when the proxy is trusted. */
describe('server.trustProxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function locationOf(trustProxy: string): Promise<string | undefined> {
    const dir = mkdtempSync(join(tmpdir(), 'roster-proxy-'));
    writeFileSync(join(dir, 'employees.csv'), 'employeeId\n');
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
server: { host: 127.0.0.1, port: 0, trustProxy: ${trustProxy} }
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets: []
scim:
  server: { enabled: true }
`);
    const engine: Engine = await openEngine(join(dir, 'roster.yaml'));
    const app = await buildServer(engine);
    cleanups.push(async () => {
      await app.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const { token } = await createToken(engine.store, 'idp', ['scim']);
    const response = await app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: {
        authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', host: 'roster.internal:8080',
        'x-forwarded-host': 'idp-gateway.example.com', 'x-forwarded-proto': 'https',
      },
      payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada' },
    });
    expect(response.statusCode).toBe(201);
    return response.headers.location as string | undefined;
  }

  it('ignores X-Forwarded-* by default', async () => {
    expect(await locationOf('false')).toMatch(/^http:\/\/roster\.internal:8080\/scim\/v2\/Users\//);
  });

  it('uses them from a trusted proxy address', async () => {
    expect(await locationOf('["127.0.0.1"]')).toMatch(/^https:\/\/idp-gateway\.example\.com\/scim\/v2\/Users\//);
  });

  it('not from an address it does not trust', async () => {
    expect(await locationOf('["10.1.2.3"]')).toMatch(/^http:\/\/roster\.internal:8080\//);
  });
});
