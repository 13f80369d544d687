import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

/**
 * Security review 13: every route that plans, applies or reads identities,
 * accounts, plans or the audit log asks for a token, and for the right
 * scope; a missing scope is a 403 that names it, bad input a 4xx.
 */
describe('API scopes on the provisioning routes (security review 13)', () => {
  let api: ApiFixture;
  beforeAll(async () => { api = await apiFixture(); });
  afterAll(async () => { await api.close(); });

  type Route = { method: 'GET' | 'POST'; url: string; scope: string; body?: Record<string, unknown> };
  const routes: Route[] = [
    { method: 'GET', url: '/api/v1/identities', scope: 'api:read' },
    { method: 'GET', url: '/api/v1/identities/E1', scope: 'api:read' },
    { method: 'GET', url: '/api/v1/plans', scope: 'api:read' },
    { method: 'GET', url: '/api/v1/plans/p1', scope: 'api:read' },
    { method: 'GET', url: '/api/v1/changes', scope: 'api:read' },
    { method: 'GET', url: '/api/v1/audit', scope: 'api:read' },
    { method: 'GET', url: '/api/v1/targets', scope: 'api:read' },
    { method: 'POST', url: '/api/v1/plans', scope: 'api:write', body: {} },
    { method: 'POST', url: '/api/v1/plans/p1/apply', scope: 'api:write', body: {} },
    { method: 'POST', url: '/api/v1/plans/p1/cancel', scope: 'admin', body: {} },
    { method: 'POST', url: '/api/v1/targets/app/hold', scope: 'admin', body: {} },
  ];

  it('no token: 401 with WWW-Authenticate, for every route', async () => {
    for (const route of routes) {
      const res = await api.app.inject({ method: route.method, url: route.url, ...(route.body === undefined ? {} : { payload: route.body }) });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json().error.code).toBe('auth.required');
    }
  });

  it('a token without the scope: 403 naming the scope, for every route', async () => {
    for (const route of routes) {
      // push:hr and metrics hold none of these scopes; api:read holds no write or admin scope.
      const tokens = route.scope === 'api:read' ? [api.tokens.push, api.tokens.metrics, api.tokens.scim] : [api.tokens.read, api.tokens.push, api.tokens.scim];
      for (const token of tokens) {
        const res = await api.app.inject({ method: route.method, url: route.url, headers: api.auth(token), ...(route.body === undefined ? {} : { payload: route.body }) });
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(res.json().error).toEqual({ code: 'auth.forbidden', message: `this token lacks the '${route.scope}' scope` });
      }
    }
  });

  it('apply --force needs admin even with api:write', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/v1/plans/p1/apply?force=true', headers: api.auth(api.tokens.write) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/'admin' scope/);
  });

  it('bad input is a 4xx, not a 500', async () => {
    const cases: { method: 'GET' | 'POST'; url: string; body?: Record<string, unknown>; status: number }[] = [
      { method: 'POST', url: '/api/v1/plans', body: { target: 'no-such-target' }, status: 404 },
      { method: 'POST', url: '/api/v1/plans', body: { target: 42 }, status: 400 },
      { method: 'GET', url: '/api/v1/identities?limit=-1', status: 400 },
      { method: 'GET', url: '/api/v1/identities/%00*)(uid=*', status: 400 },
      { method: 'GET', url: '/api/v1/identities/*)(uid=*', status: 404 },
      { method: 'POST', url: '/api/v1/plans/no-such-plan/apply', status: 404 },
    ];
    for (const c of cases) {
      const res = await api.app.inject({ method: c.method, url: c.url, headers: api.auth(api.tokens.admin), ...(c.body === undefined ? {} : { payload: c.body }) });
      expect(res.statusCode, `${c.method} ${c.url}: ${res.body}`).toBe(c.status);
    }
  });
});
