import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import { handleError } from './errors.js';

/**
 * A plan asked for over the API while a directory source is down (or its base
 * is gone) was answered "500 internal error": the caller could not tell a bug
 * from an outage. A failing source or target is now said as such.
 */
describe('a source or target that fails, over the REST API', () => {
  async function answer(error: RosterError) {
    const app = Fastify({ logger: false });
    app.setErrorHandler(handleError);
    app.post('/plans', async () => {
      throw error;
    });
    const res = await app.inject({ method: 'POST', url: '/plans' });
    await app.close();
    return res;
  }

  it('is a 503 naming the source when the directory cannot be reached', async () => {
    const res = await answer(new RosterError('source.unavailable', 'search on source corp: cannot reach ldaps://dc1.example.test:636', { retryable: true }));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'source.unavailable', message: 'search on source corp: cannot reach ldaps://dc1.example.test:636' } });
  });

  it('is a 502 when a target refused, 409 on a conflict, 422 for an HR file that cannot be read; a bug stays an opaque 500', async () => {
    expect((await answer(new RosterError('target.rejected', 'the directory refused the request'))).statusCode).toBe(502);
    expect((await answer(new RosterError('target.conflict', 'jsmith is taken'))).statusCode).toBe(409);
    expect((await answer(new RosterError('source.malformed', 'hr.csv has no column status'))).statusCode).toBe(422);
    const bug = await answer(new RosterError('internal', 'undefined is not a function at x.ts:12'));
    expect(bug.statusCode).toBe(500);
    expect(bug.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});
