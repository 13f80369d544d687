import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from './testing/setup.js';

describe('API auth and errors', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('answers /health at the root too, without a token, and guards /metrics there', async () => {
    const root = await f.app.inject({ method: 'GET', url: '/health' });
    expect(root.statusCode).toBe(200);
    expect((await f.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('answers /health without a token', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', store: 'sqlite', serial: expect.any(Number) });
  });

  it('401 with WWW-Authenticate when the token is absent, malformed, unknown or revoked', async () => {
    const none = await f.app.inject({ method: 'GET', url: '/api/v1/plans' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().error.code).toBe('auth.required');

    const basic = await f.app.inject({ method: 'GET', url: '/api/v1/plans', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.statusCode).toBe(401);
    const unknown = await f.app.inject({ method: 'GET', url: '/api/v1/plans', headers: f.auth('rst_' + 'A'.repeat(43)) });
    expect(unknown.statusCode).toBe(401);

    const [reader] = (await f.engine.store.tokens.list()).filter((t) => t.name === 'reader');
    await f.engine.store.tokens.revoke(reader!.id);
    const revoked = await f.app.inject({ method: 'GET', url: '/api/v1/plans', headers: f.auth(f.tokens.read) });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.headers['www-authenticate']).toBe('Bearer');
  });

  it('403 when the token lacks the scope', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/api/v1/plans', headers: f.auth(f.tokens.scim) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({ code: 'auth.forbidden', message: "this token lacks the 'api:read' scope" });
    const write = await f.app.inject({ method: 'POST', url: '/api/v1/plans', headers: f.auth(f.tokens.read), payload: {} });
    expect(write.statusCode).toBe(403);
  });

  it('hides internal errors behind a 500 without details', async () => {
    f.engine.store.plans.list = async () => {
      throw new Error('connection to postgres://admin:hunter2@db failed');
    };
    const res = await f.app.inject({ method: 'GET', url: '/api/v1/plans', headers: f.auth(f.tokens.admin) });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.json().error).toEqual({ code: 'internal', message: 'internal error' });
  });

  it('unknown routes are 404 for an authenticated caller', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/api/v1/nope', headers: f.auth(f.tokens.admin) });
    expect(res.statusCode).toBe(404);
  });
});

describe('request log', () => {
  it('never contains the bearer token', async () => {
    const log = new PassThrough();
    const lines: string[] = [];
    log.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
    const f = await apiFixture({ logger: true, logStream: log });
    try {
      const res = await f.app.inject({ method: 'GET', url: '/api/v1/plans', headers: f.auth(f.tokens.admin) });
      expect(res.statusCode).toBe(200);
      await f.app.inject({ method: 'GET', url: '/api/v1/plans', headers: f.auth(f.tokens.admin + 'x') });
      expect(lines.join('')).toContain('/api/v1/plans');
      expect(lines.join('')).not.toContain(f.tokens.admin);
    } finally {
      await f.close();
    }
  });
});
