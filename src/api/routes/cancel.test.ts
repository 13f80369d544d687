import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../core/types.js';
import { cannedPlan, change } from '../testing/fake-engine.js';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

/**
 * Cancelling queued changes over REST: POST /plans/{id}/cancel and POST
 * /targets/{id}/cancel, admin like a hold, a reason required, 404 for what
 * does not exist, and a 200 that says when nothing was pending. The fake
 * engine's apply only enqueues, so the changes stay pending.
 */
describe('cancel API: a plan\'s or a target\'s pending changes', () => {
  let f: ApiFixture;
  let plan: Plan;
  beforeEach(async () => {
    f = await apiFixture();
    plan = await cannedPlan(f.engine.store, [change('E1', 'create'), change('E2', 'create'), change('E3', 'create', 'other')]);
    await f.engine.apply(plan, { actor: 'test' });
  });
  afterEach(async () => {
    await f.close();
  });

  const post = (url: string, token: string | undefined, payload?: unknown) => f.app.inject({
    method: 'POST', url, ...(token === undefined ? {} : { headers: f.auth(token) }), ...(payload === undefined ? {} : { payload: payload as object }),
  });

  it('POST /plans/:id/cancel takes an admin token and a reason, cancels once, audits under the caller', async () => {
    expect((await post(`/api/v1/plans/${plan.id}/cancel`, undefined, { reason: 'x' })).statusCode).toBe(401);
    for (const token of [f.tokens.write, f.tokens.read]) expect((await post(`/api/v1/plans/${plan.id}/cancel`, token, { reason: 'x' })).statusCode).toBe(403);
    for (const payload of [undefined, {}, { reason: '  ' }, { reason: 'x', extra: 1 }, { reason: 'a\u0000b' }, { reason: 7 }, { reason: 'x', target: '' }]) {
      const bad = await post(`/api/v1/plans/${plan.id}/cancel`, f.tokens.admin, payload);
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'request.invalid', message: expect.any(String) });
    }
    expect(f.engine.calls.some((c) => c.method === 'cancelQueued')).toBe(false);

    const res = await post(`/api/v1/plans/${plan.id}/cancel`, f.tokens.admin, { reason: 'INC-42 wrong plan', target: 'app' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ planId: plan.id, target: 'app', cancelled: 2, running: 0 });
    expect(f.engine.calls.find((c) => c.method === 'cancelQueued')?.args).toEqual([{ planId: plan.id, target: 'app' }, expect.stringContaining('admin'), 'INC-42 wrong plan']);
    const rest = await post(`/api/v1/plans/${plan.id}/cancel`, f.tokens.admin, { reason: 'the rest' });
    expect(rest.json()).toEqual({ planId: plan.id, cancelled: 1, running: 0 });
    const again = await post(`/api/v1/plans/${plan.id}/cancel`, f.tokens.admin, { reason: 'again' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ planId: plan.id, cancelled: 0, running: 0 });

    const changes = await f.app.inject({ method: 'GET', url: `/api/v1/changes?planId=${plan.id}`, headers: f.auth(f.tokens.read) });
    expect(changes.body).toContain('cancelled');
    const audit = await f.app.inject({ method: 'GET', url: '/api/v1/audit?kind=queue.cancelled', headers: f.auth(f.tokens.read) });
    expect(audit.json().entries.map((e: { actor: string; data: unknown }) => [e.actor, e.data])).toEqual([
      ['token:admin', { planId: plan.id, target: 'app', reason: 'INC-42 wrong plan', cancelled: 2 }],
      ['token:admin', { planId: plan.id, reason: 'the rest', cancelled: 1 }],
    ]);
  });

  it('POST /targets/:id/cancel cancels the target\'s pending changes; GET /targets counts them', async () => {
    expect((await post('/api/v1/targets/app/cancel', f.tokens.write, { reason: 'x' })).statusCode).toBe(403);
    expect((await post('/api/v1/targets/app/cancel', f.tokens.admin, {})).statusCode).toBe(400);
    const res = await post('/api/v1/targets/app/cancel', f.tokens.admin, { reason: 'CHG-7 stop' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ target: 'app', cancelled: 2, running: 0 });
    const listed = await f.app.inject({ method: 'GET', url: '/api/v1/targets', headers: f.auth(f.tokens.read) });
    expect(listed.json().targets.find((t: { id: string }) => t.id === 'app').queue).toEqual({ pending: 0, running: 0, done: 0, failed: 0, cancelled: 2 });
  });

  it('an unknown plan or target is 404 with a message, never a 500', async () => {
    const plan404 = await post('/api/v1/plans/no-such-plan/cancel', f.tokens.admin, { reason: 'x' });
    expect(plan404.statusCode).toBe(404);
    expect(plan404.json().error).toMatchObject({ code: 'plan.not_found', message: expect.stringContaining("'no-such-plan'") });
    const target404 = await post('/api/v1/targets/nope/cancel', f.tokens.admin, { reason: 'x' });
    expect(target404.statusCode).toBe(404);
    expect(target404.json().error).toMatchObject({ code: 'target.not_found', message: expect.stringContaining("'nope'") });
    const inBody = await post(`/api/v1/plans/${plan.id}/cancel`, f.tokens.admin, { reason: 'x', target: 'nope' });
    expect(inBody.statusCode).toBe(404);
    const odd = await post(`/api/v1/plans/${encodeURIComponent('a\u0000b')}/cancel`, f.tokens.admin, { reason: 'x' });
    expect(odd.statusCode).toBe(400);
    // Past Fastify's parameter length: 414, as for every route with an id.
    const long = await post(`/api/v1/plans/${'p'.repeat(300)}/cancel`, f.tokens.admin, { reason: 'x' });
    expect(long.statusCode).toBe(414);
  });
});
