import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cannedPlan, change } from '../testing/fake-engine.js';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

describe('plans API', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('POST /plans computes a plan (api:write), GET lists and fetches it', async () => {
    const created = await f.app.inject({ method: 'POST', url: '/api/v1/plans', headers: f.auth(f.tokens.write), payload: { identity: 'E9' } });
    expect(created.statusCode).toBe(201);
    const plan = created.json();
    expect(plan.summary).toEqual({ create: 1 });
    expect(f.engine.calls.find((c) => c.method === 'plan')?.args[0]).toEqual({ identity: 'E9', actor: 'token:writer' });

    const list = await f.app.inject({ method: 'GET', url: '/api/v1/plans', headers: f.auth(f.tokens.read) });
    expect(list.statusCode).toBe(200);
    expect(list.json().plans).toEqual([expect.objectContaining({ id: plan.id, changes: 1, held: false })]);

    const one = await f.app.inject({ method: 'GET', url: `/api/v1/plans/${plan.id}`, headers: f.auth(f.tokens.read) });
    expect(one.statusCode).toBe(200);
    expect(one.json().changes).toHaveLength(1);
  });

  it('POST /plans without a body plans everything; a body with unknown keys or targets is refused', async () => {
    const all = await f.app.inject({ method: 'POST', url: '/api/v1/plans', headers: f.auth(f.tokens.write) });
    expect(all.statusCode).toBe(201);
    expect(all.json().changes).toHaveLength(2);
    const bad = await f.app.inject({ method: 'POST', url: '/api/v1/plans', headers: f.auth(f.tokens.write), payload: { identiy: 'E1' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/identiy/);
    const target = await f.app.inject({ method: 'POST', url: '/api/v1/plans', headers: f.auth(f.tokens.write), payload: { target: 'crm' } });
    expect(target.statusCode).toBe(404);
  });

  it('GET /plans/:id is 404 for an unknown plan; a bad limit is 400', async () => {
    const missing = await f.app.inject({ method: 'GET', url: '/api/v1/plans/nope', headers: f.auth(f.tokens.read) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('plan.not_found');
    const limit = await f.app.inject({ method: 'GET', url: '/api/v1/plans?limit=ten', headers: f.auth(f.tokens.read) });
    expect(limit.statusCode).toBe(400);
  });

  it('POST /plans/:id/apply applies, then GET /changes lists the jobs with their status', async () => {
    const plan = await cannedPlan(f.engine.store, [change('E1', 'create'), change('E2', 'create')]);
    const res = await f.app.inject({ method: 'POST', url: `/api/v1/plans/${plan.id}/apply`, headers: f.auth(f.tokens.write) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ planId: plan.id, applied: 2, failed: 0 });
    const apply = f.engine.calls.find((c) => c.method === 'apply');
    expect(apply?.args[1]).toMatchObject({ actor: 'token:writer', force: false, background: false });

    const changes = await f.app.inject({ method: 'GET', url: `/api/v1/changes?planId=${plan.id}`, headers: f.auth(f.tokens.read) });
    expect(changes.statusCode).toBe(200);
    expect(changes.json().changes).toEqual([
      expect.objectContaining({ identity: 'E1', action: 'create', target: 'app', status: 'pending' }),
      expect.objectContaining({ identity: 'E2', action: 'create', target: 'app', status: 'pending' }),
    ]);
    const noPlan = await f.app.inject({ method: 'GET', url: '/api/v1/changes', headers: f.auth(f.tokens.read) });
    expect(noPlan.statusCode).toBe(400);
  });

  it('409 for a stale plan', async () => {
    const plan = await cannedPlan(f.engine.store, [change('E1', 'create')]);
    await f.app.inject({ method: 'POST', url: '/api/v1/sources/hr/records', headers: f.auth(f.tokens.push), payload: { records: [{ employeeId: 'E5' }] } });
    const res = await f.app.inject({ method: 'POST', url: `/api/v1/plans/${plan.id}/apply`, headers: f.auth(f.tokens.write) });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('plan.stale');
  });

  it('409 for a held plan; ?force=true needs admin', async () => {
    const plan = await cannedPlan(f.engine.store, [change('E1', 'delete')], true);
    const url = `/api/v1/plans/${plan.id}/apply`;
    const held = await f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.write) });
    expect(held.statusCode).toBe(409);
    expect(held.json().error.code).toBe('plan.held');
    const notAdmin = await f.app.inject({ method: 'POST', url: `${url}?force=true`, headers: f.auth(f.tokens.write) });
    expect(notAdmin.statusCode).toBe(403);
    const badFlag = await f.app.inject({ method: 'POST', url: `${url}?force=yes`, headers: f.auth(f.tokens.admin) });
    expect(badFlag.statusCode).toBe(400);
    const forced = await f.app.inject({ method: 'POST', url: `${url}?force=true`, headers: f.auth(f.tokens.admin) });
    expect(forced.statusCode).toBe(200);
    expect(forced.json().applied).toBe(1);
  });

  it('apply of an unknown plan is 404', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/plans/nope/apply', headers: f.auth(f.tokens.write) });
    expect(res.statusCode).toBe(404);
  });
});
