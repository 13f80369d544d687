import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { buildServer } from './server.js';
import { createToken } from './tokens.js';

/**
 * Fastify's router answers two faults itself, before any hook or error
 * handler: a path segment that is not valid percent-encoded UTF-8 (400) and a
 * path parameter over 100 characters (414). Its own body came back
 * (`{"error":"Bad Request","code":"FST_ERR_…"}` as application/json), which is
 * neither the API's error shape nor, under /scim/v2, an RFC 7644 §3.12 error
 * a SCIM client can read.
 */
describe('router faults in the API and SCIM error shapes (review8)', () => {
  const dir = useEngineDir('review8-router');

  async function server() {
    const engine = await dir.open(`
store: sqlite:./roster.db
sources:
  - { id: idp, type: scim, key: userName }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: { username: identity.userName }
scim:
  server: { enabled: true }
`);
    const app = await buildServer(engine);
    const { token } = await createToken(engine.store, 'entra', ['admin']);
    return { app, headers: { authorization: `Bearer ${token}` } };
  }

  it.each([
    ['/scim/v2/Users/%E0%A4%A', 400],
    [`/scim/v2/Users/${'a'.repeat(101)}`, 414],
    [`/scim/v2/Groups/${'a'.repeat(101)}`, 414],
  ])('GET %s is a SCIM error', async (url, status) => {
    const { app, headers } = await server();
    const res = await app.inject({ method: 'GET', url, headers });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(res.json()).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail: expect.any(String) });
    await app.close();
  });

  it.each([
    ['/api/v1/identities/%E0%A4%A', 400],
    [`/api/v1/identities/${'a'.repeat(101)}`, 414],
  ])('GET %s is an API error', async (url, status) => {
    const { app, headers } = await server();
    const res = await app.inject({ method: 'GET', url, headers });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: { code: 'request.invalid', message: expect.any(String) } });
    await app.close();
  });
});
