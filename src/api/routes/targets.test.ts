import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quarantineKey } from '../../executor/quarantine.js';
import { apiFixture, type ApiFixture } from '../testing/setup.js';

describe('targets API: queues, quarantine and its release', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture();
    await f.engine.store.state.set(quarantineKey('app'), { since: '2026-11-27T10:00:00.000Z', reason: 'target.unavailable: connection refused' });
  });
  afterEach(async () => {
    await f.close();
  });

  it('GET /targets lists each target with its queue and quarantine (api:read)', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/api/v1/targets', headers: f.auth(f.tokens.read) });
    expect(res.statusCode).toBe(200);
    const app = res.json().targets.find((t: { id: string }) => t.id === 'app');
    expect(app).toMatchObject({ queue: { pending: 0, running: 0, done: 0, failed: 0 }, quarantined: { reason: expect.stringContaining('refused') } });
    const anonymous = await f.app.inject({ method: 'GET', url: '/api/v1/targets' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('POST /targets/:id/release takes an admin token, releases once, and names the caller', async () => {
    const writer = await f.app.inject({ method: 'POST', url: '/api/v1/targets/app/release', headers: f.auth(f.tokens.write) });
    expect(writer.statusCode).toBe(403);
    expect(f.engine.calls.some((c) => c.method === 'releaseQuarantine')).toBe(false);

    const res = await f.app.inject({ method: 'POST', url: '/api/v1/targets/app/release', headers: f.auth(f.tokens.admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ target: 'app', released: true });
    expect(f.engine.calls.find((c) => c.method === 'releaseQuarantine')?.args).toEqual(['app', expect.stringContaining('admin')]);
    const again = await f.app.inject({ method: 'POST', url: '/api/v1/targets/app/release', headers: f.auth(f.tokens.admin) });
    expect(again.json()).toEqual({ target: 'app', released: false });
    const listed = await f.app.inject({ method: 'GET', url: '/api/v1/targets', headers: f.auth(f.tokens.read) });
    expect(listed.json().targets.find((t: { id: string }) => t.id === 'app').quarantined).toBeUndefined();
  });

  it('POST /targets/:id/hold takes an admin token and a reason, holds once, and names the caller', async () => {
    await f.engine.store.state.set(quarantineKey('app'), null);
    const writer = await f.app.inject({ method: 'POST', url: '/api/v1/targets/app/hold', headers: f.auth(f.tokens.write), payload: { reason: 'maintenance' } });
    expect(writer.statusCode).toBe(403);
    for (const payload of [{}, { reason: '   ' }, { reason: 'x', extra: 1 }, { reason: 'a\u0000b' }]) {
      const bad = await f.app.inject({ method: 'POST', url: '/api/v1/targets/app/hold', headers: f.auth(f.tokens.admin), payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toEqual(expect.any(String));
    }
    expect(f.engine.calls.some((c) => c.method === 'holdQuarantine')).toBe(false);

    const res = await f.app.inject({ method: 'POST', url: '/api/v1/targets/app/hold', headers: f.auth(f.tokens.admin), payload: { reason: 'CHG-1234 upgrade' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ target: 'app', held: true });
    expect(f.engine.calls.find((c) => c.method === 'holdQuarantine')?.args).toEqual(['app', expect.stringContaining('admin'), 'CHG-1234 upgrade']);
    const again = await f.app.inject({ method: 'POST', url: '/api/v1/targets/app/hold', headers: f.auth(f.tokens.admin), payload: { reason: 'again' } });
    expect(again.json()).toEqual({ target: 'app', held: false });
    const listed = await f.app.inject({ method: 'GET', url: '/api/v1/targets', headers: f.auth(f.tokens.read) });
    expect(listed.json().targets.find((t: { id: string }) => t.id === 'app').quarantined).toMatchObject({ reason: 'CHG-1234 upgrade', by: expect.stringContaining('admin') });
  });

  it('an unknown target is 404 with a message', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/targets/nope/release', headers: f.auth(f.tokens.admin) });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'target.not_found', message: expect.stringContaining("'nope'") });
  });
});
