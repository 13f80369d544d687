import { describe, expect, it } from 'vitest';
import { pushToMemoryYaml, useEngineDir } from '../../../test/support/engine-dir.js';
import { buildServer } from '../server.js';
import { createToken } from '../tokens.js';

/**
 * The cancel routes on a real engine and store (not the fake engine):
 * whatever the body or the path holds, the answer is a 2xx or a clear 4xx,
 * never a 500; only an admin token cancels; the audit entry names the caller.
 */
describe.each(['sqlite', 'postgres'] as const)('cancel routes on a real engine (%s)', (dialect) => {
  const dir = useEngineDir('cancel-api-r9');

  it('answers odd input with a 4xx and audits the admin\'s cancel', async () => {
    const engine = await dir.open(pushToMemoryYaml(await dir.store(dialect, 'roster_cancel_api_r9')));
    const app = await buildServer(engine, {});
    try {
      const admin = (await createToken(engine.store, 'admin', ['admin'])).token;
      const writer = (await createToken(engine.store, 'writer', ['api:write'])).token;
      await engine.store.plans.save({ id: 'p1', createdAt: new Date().toISOString(), basis: 0, changes: [], summary: {}, held: false, holds: [], diagnostics: [] });
      const post = (url: string, token: string, payload: string, type = 'application/json') => app.inject({
        method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': type }, payload,
      });
      const bodies = [
        '{"reason":"\\ud800"}', '{"reason":"a\\u0000b"}', `{"reason":"${'x'.repeat(1_001)}"}`, '{"reason":["x"]}', '{"reason":null}',
        '{"reason":"x","target":"\\udfff"}', '{"reason":"x","target":"a\\u0000"}', '[]', '"x"', '{', '{"reason":"x","__proto__":{"a":1}}',
      ];
      for (const url of ['/api/v1/plans/p1/cancel', '/api/v1/targets/app/cancel']) {
        for (const body of bodies) {
          const res = await post(url, admin, body);
          expect(res.statusCode, `${url} ${body.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, `${url} ${body.slice(0, 40)}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
        }
        expect((await post(url, admin, 'reason=x', 'text/plain')).statusCode).toBeLessThan(500);
        expect((await post(url, writer, '{"reason":"x"}')).statusCode).toBe(403);
      }
      for (const path of ['/api/v1/plans/%ED%A0%80/cancel', '/api/v1/targets/%ED%A0%80/cancel', '/api/v1/plans/%00/cancel', '/api/v1/targets/a%00/cancel']) {
        const res = await post(path, admin, '{"reason":"x"}');
        expect(res.statusCode, `${path}: ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${path}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      }
      expect((await post('/api/v1/plans/p1/cancel', admin, '{"reason":"x","target":"nope"}')).statusCode).toBe(404);
      expect((await post('/api/v1/plans/p2/cancel', admin, '{"reason":"x"}')).statusCode).toBe(404);
      const ok = await post('/api/v1/plans/p1/cancel', admin, '{"reason":"INC-1","target":"app"}');
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ planId: 'p1', target: 'app', cancelled: 0, running: 0 });
    } finally {
      await app.close();
    }
  });
});
