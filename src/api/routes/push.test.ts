import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

const url = '/api/v1/sources/hr/records';

describe('POST /sources/:id/records (HR push)', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture({ now: () => new Date('2026-11-27T10:00:00Z') });
  });
  afterEach(async () => {
    await f.close();
  });

  it('ingests the records and reconciles exactly the affected identities', async () => {
    const payload = { records: [{ employeeId: 'E1', givenName: 'Zoë' }, { employeeId: 'E2', givenName: 'Łukasz' }] };
    const res = await f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.push), payload });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ received: 2, created: 2, changed: 0, unchanged: 0, problems: [], applied: 0, failed: 0, pending: 0 });
    const ingest = f.engine.calls.find((c) => c.method === 'ingest');
    expect(ingest?.args[1]).toBe('token:workday');
    expect(ingest?.args[0]).toMatchObject({ sourceId: 'hr', complete: false, records: [{ key: 'E1' }, { key: 'E2' }] });
    const reconcile = f.engine.calls.find((c) => c.method === 'reconcileIdentities');
    expect(reconcile?.args).toEqual([['E1', 'E2'], 'token:workday']);
  });

  it('a termination comes back with its disable applied and the plan described', async () => {
    await f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.push), payload: { records: [{ employeeId: 'E7' }] } });
    const res = await f.app.inject({
      method: 'POST', url, headers: f.auth(f.tokens.push), payload: { records: [{ employeeId: 'E7', _action: 'terminate' }] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.plan).toMatchObject({ summary: { disable: 1 }, held: false, holds: [] });
    expect(typeof body.plan.id).toBe('string');
    expect(body.applied).toBe(1);
    const identity = await f.engine.store.identities.get('E7');
    expect(identity?.attributes.status).toBe('terminated');
  });

  it('reports per-record problems without failing the batch', async () => {
    const res = await f.app.inject({
      method: 'POST', url, headers: f.auth(f.tokens.push), payload: { records: [{ employeeId: 'E1' }, { givenName: 'no key' }] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().received).toBe(1);
    expect(res.json().problems).toEqual([expect.objectContaining({ line: 2 })]);
  });

  it('400 for a body that is not a push batch, and for malformed JSON (never 500)', async () => {
    const notBatch = await f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.push), payload: { people: [] } });
    expect(notBatch.statusCode).toBe(400);
    expect(notBatch.json().error.code).toBe('request.invalid');
    const malformed = await f.app.inject({
      method: 'POST', url, headers: { ...f.auth(f.tokens.push), 'content-type': 'application/json' }, payload: '{"records": [',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('request.invalid');
    const empty = await f.app.inject({ method: 'POST', url, headers: { ...f.auth(f.tokens.push), 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(f.engine.calls.some((c) => c.method === 'ingest')).toBe(false);
  });

  it('413 with a JSON error for a body over 10 MiB', async () => {
    const big = JSON.stringify({ records: [{ employeeId: 'E1', note: 'x'.repeat(10 * 1024 * 1024) }] });
    const res = await f.app.inject({ method: 'POST', url, headers: { ...f.auth(f.tokens.push), 'content-type': 'application/json' }, payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('request.invalid');
  });

  it('accepts a body between 1 MiB and 10 MiB', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => ({ employeeId: `E${i}`, note: 'y'.repeat(1000) }));
    const res = await f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.push), payload: { records } });
    expect(res.statusCode).toBe(200);
    expect(res.json().received).toBe(2000);
  });

  it('404 source.not_found for a source the configuration lacks', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/sources/nope/records', headers: f.auth(f.tokens.admin), payload: { records: [] } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toEqual({ code: 'source.not_found', message: "no source 'nope' in the configuration" });
    expect(f.engine.calls.some((c) => c.method === 'ingest')).toBe(false);
  });

  it('needs push:<this source> or admin', async () => {
    const read = await f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.write), payload: { records: [] } });
    expect(read.statusCode).toBe(403);
    const admin = await f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.admin), payload: { records: [{ employeeId: 'E1' }] } });
    expect(admin.statusCode).toBe(200);
    const other = await f.app.inject({ method: 'POST', url: '/api/v1/sources/crm/records', headers: f.auth(f.tokens.push), payload: { records: [] } });
    expect(other.statusCode).toBe(403);
  });

  it('404 for a source that is not configured', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/sources/crm/records', headers: f.auth(f.tokens.admin), payload: { records: [] } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain("'crm'");
  });
});
