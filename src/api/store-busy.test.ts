import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import { handleError } from './errors.js';
import { scimFault } from './scim/errors.js';

/**
 * The store said it is unavailable for now (SQLite locked by another process
 * past its wait, a PostgreSQL connection lost, a statement timed out): the
 * client is told to come back (503, Retry-After), and never sees the error's
 * own text, which names the database's host.
 */
describe('a retryable store.unavailable', () => {
  const busy = new RosterError('store.unavailable', 'connection to db.internal:5432/roster lost', { retryable: true });

  it('is a REST 503 with Retry-After and a fixed message', async () => {
    const app = Fastify({ logger: false });
    app.setErrorHandler(handleError);
    app.get('/x', async () => {
      throw busy;
    });
    const res = await app.inject({ method: 'GET', url: '/x' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error: { code: 'store.unavailable', message: expect.stringContaining('try again') } });
    expect(res.body).not.toContain('db.internal');
    await app.close();
  });

  it('is a SCIM 503 with Retry-After', () => {
    const fault = scimFault(busy);
    expect(fault).toMatchObject({ status: 503, retryAfterSeconds: 5, internal: false, body: { status: '503' } });
    expect(fault.body.detail).not.toContain('db.internal');
  });

  it('stays a 500 when the store does not say a retry may help', () => {
    expect(scimFault(new RosterError('store.unavailable', 'db password wrong')).status).toBe(500);
  });
});
