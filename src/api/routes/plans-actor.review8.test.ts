import { describe, expect, it } from 'vitest';
import { pushToMemoryYaml, useEngineDir } from '../../../test/support/engine-dir.js';
import { buildServer } from '../server.js';
import { createToken } from '../tokens.js';

/**
 * POST /api/v1/plans recorded its `plan.created` audit entry with actor
 * `system`: the log could not say which token asked for the plan, unlike
 * every other API write (`token:<name>`). The route now passes the caller
 * as the plan's actor; the scheduler's plans stay `system`.
 */
describe('plan.created names the API token that asked for the plan (review8)', () => {
  const dir = useEngineDir('review8-plan-actor');

  it('POST /plans records token:<name>; a plan with no actor stays system', async () => {
    const engine = await dir.open(pushToMemoryYaml('sqlite:./roster.db'));
    const app = await buildServer(engine);
    const { token } = await createToken(engine.store, 'ci-bot', ['api:write']);
    const res = await app.inject({ method: 'POST', url: '/api/v1/plans', headers: { authorization: `Bearer ${token}` }, payload: {} });
    expect(res.statusCode).toBe(201);
    const planId = res.json().id as string;
    const created = await engine.store.audit.list({ kind: 'plan.created' });
    expect(created).toEqual([expect.objectContaining({ actor: 'token:ci-bot', data: expect.objectContaining({ planId }) })]);

    await engine.plan();
    expect((await engine.store.audit.list({ kind: 'plan.created' })).map((e) => e.actor)).toEqual(['token:ci-bot', 'system']);
    await app.close();
  });
});
