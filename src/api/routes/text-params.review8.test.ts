import { describe, expect, it } from 'vitest';
import { pushToMemoryYaml, useEngineDir } from '../../../test/support/engine-dir.js';
import { buildServer } from '../server.js';
import { createToken } from '../tokens.js';

/**
 * Text PostgreSQL cannot hold (U+0000, an unpaired surrogate) in a path or
 * query parameter reached the store as a bound value and came back as a 500
 * ("invalid byte sequence for encoding UTF8: 0x00"). It is the client's
 * error: 400 naming the parameter, on both back ends alike.
 */
describe.each(['sqlite', 'postgres'] as const)('REST parameters with U+0000 are 400, not 500 (review8, %s)', (dialect) => {
  const dir = useEngineDir('review8-text');

  async function server() {
    const engine = await dir.open(pushToMemoryYaml(await dir.store(dialect, 'roster_r8_text')));
    const app = await buildServer(engine);
    const { token } = await createToken(engine.store, 'admin', ['admin']);
    return { app, headers: { authorization: `Bearer ${token}` } };
  }

  it.each([
    ['GET', '/api/v1/identities/%00', 'params.id'],
    ['GET', '/api/v1/identities/a%00b', 'params.id'],
    ['GET', '/api/v1/plans/%00', 'params.id'],
    ['POST', '/api/v1/plans/%00/apply', 'params.id'],
    ['GET', '/api/v1/changes?planId=%00', 'query.planId'],
    ['GET', '/api/v1/audit?identity=%00', 'query.identity'],
    ['GET', '/api/v1/audit?kind=x%00', 'query.kind'],
  ])('%s %s', async (method, url, field) => {
    const { app, headers } = await server();
    const res = await app.inject({ method: method as 'GET' | 'POST', url, headers });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'request.invalid', message: expect.stringContaining(field) });
    await app.close();
  });

  it('POST /plans with an identity holding U+0000 is 400', async () => {
    const { app, headers } = await server();
    const res = await app.inject({ method: 'POST', url: '/api/v1/plans', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"identity":"E\\u0000"}' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'request.invalid', message: expect.stringContaining('body.identity') });
    // Ordinary text still works.
    const ok = await app.inject({ method: 'GET', url: '/api/v1/identities/%C3%A9', headers });
    expect(ok.statusCode).toBe(404);
    await app.close();
  });
});
