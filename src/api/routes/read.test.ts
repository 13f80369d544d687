import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

describe('identities, audit and metrics API', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture();
    const payload = { records: [{ employeeId: 'E1', givenName: 'Søren' }, { employeeId: 'E2' }, { employeeId: 'E3' }] };
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/sources/hr/records', headers: f.auth(f.tokens.push), payload });
    expect(res.statusCode).toBe(200);
  });
  afterEach(async () => {
    await f.close();
  });

  it('GET /identities pages through identities', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/api/v1/identities?limit=2&offset=1', headers: f.auth(f.tokens.read) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(3);
    expect(body.identities.map((i: { id: string }) => i.id)).toEqual(['E2', 'E3']);
    const bad = await f.app.inject({ method: 'GET', url: '/api/v1/identities?limit=0', headers: f.auth(f.tokens.read) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/limit/);
  });

  it('GET /identities/:id explains the identity; unknown is 404', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/api/v1/identities/E1', headers: f.auth(f.tokens.read) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ identity: { id: 'E1', attributes: { givenName: 'Søren' } }, accounts: [{ target: 'app' }] });
    const missing = await f.app.inject({ method: 'GET', url: '/api/v1/identities/E404', headers: f.auth(f.tokens.read) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('identity.not_found');
  });

  it('GET /audit filters by kind and identity and pages by afterSeq', async () => {
    await f.engine.store.audit.append([
      { kind: 'identity.joiner', actor: 'source:hr', identity: 'E1' },
      { kind: 'identity.joiner', actor: 'source:hr', identity: 'E2' },
      { kind: 'change.applied', actor: 'system', identity: 'E1', target: 'app' },
    ]);
    const joiners = await f.app.inject({ method: 'GET', url: '/api/v1/audit?kind=identity.joiner', headers: f.auth(f.tokens.read) });
    expect(joiners.statusCode).toBe(200);
    expect(joiners.json().entries.map((e: { identity: string }) => e.identity)).toEqual(['E1', 'E2']);
    const e1 = await f.app.inject({ method: 'GET', url: '/api/v1/audit?identity=E1', headers: f.auth(f.tokens.read) });
    expect(e1.json().entries.map((e: { kind: string }) => e.kind)).toEqual(['identity.joiner', 'change.applied']);
    const page = await f.app.inject({ method: 'GET', url: '/api/v1/audit?limit=1', headers: f.auth(f.tokens.read) });
    const next = page.json().next as number;
    const after = await f.app.inject({ method: 'GET', url: `/api/v1/audit?afterSeq=${next}&limit=1`, headers: f.auth(f.tokens.read) });
    expect(after.json().entries[0].seq).toBe(next + 1);
    const bad = await f.app.inject({ method: 'GET', url: '/api/v1/audit?afterSeq=-1', headers: f.auth(f.tokens.read) });
    expect(bad.statusCode).toBe(400);
  });

  it('GET /metrics serves Prometheus text to the metrics scope only', async () => {
    f.engine.metrics.changesApplied('app');
    f.engine.metrics.cycleDuration('plan', 120);
    const res = await f.app.inject({ method: 'GET', url: '/api/v1/metrics', headers: f.auth(f.tokens.metrics) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('roster_changes_applied_total{target="app"} 1');
    expect(res.body).toContain('roster_cycle_duration_seconds_count{kind="plan"} 1');
    expect(res.body).toMatch(/roster_queue_depth\{target="app",status="done"\} \d+/);
    const forbidden = await f.app.inject({ method: 'GET', url: '/api/v1/metrics', headers: f.auth(f.tokens.read) });
    expect(forbidden.statusCode).toBe(403);
  });
});
