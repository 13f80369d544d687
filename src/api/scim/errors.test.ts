import { describe, expect, it } from 'vitest';
import { RosterError } from '../../core/errors.js';
import { ERROR_SCHEMA, scimFault } from './errors.js';

describe('scimFault (RFC 7644 §3.12)', () => {
  it('turns request.invalid into 400 with the scimType of the details', () => {
    const fault = scimFault(new RosterError('request.invalid', 'bad filter', { details: { scimType: 'invalidFilter', offset: 3 } }));
    expect(fault).toEqual({ status: 400, internal: false, body: { schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidFilter', detail: 'bad filter' } });
  });

  it('defaults a 400 without scimType, or with an unknown one, to invalidSyntax', () => {
    expect(scimFault(new RosterError('request.invalid', 'x')).body.scimType).toBe('invalidSyntax');
    expect(scimFault(new RosterError('request.invalid', 'x', { details: { scimType: 'madeUp' } })).body.scimType).toBe('invalidSyntax');
  });

  it('maps the status table', () => {
    const status = (error: RosterError) => scimFault(error).status;
    expect(status(new RosterError('auth.required', 'x'))).toBe(401);
    expect(status(new RosterError('auth.forbidden', 'x'))).toBe(403);
    expect(status(new RosterError('store.not_found', 'x'))).toBe(404);
    expect(status(new RosterError('request.precondition_failed', 'x'))).toBe(412);
    expect(status(new RosterError('request.too_large', 'x'))).toBe(413);
  });

  it('keeps uniqueness on a 409 and gives no scimType to statuses that have none', () => {
    const conflict = scimFault(new RosterError('store.conflict', 'taken', { details: { scimType: 'uniqueness' } }));
    expect(conflict.status).toBe(409);
    expect(conflict.body.scimType).toBe('uniqueness');
    expect(scimFault(new RosterError('request.precondition_failed', 'x')).body).not.toHaveProperty('scimType');
  });

  it('gives 429 a Retry-After in whole seconds, at least 1', () => {
    expect(scimFault(new RosterError('request.rate_limited', 'x', { retryAfterMs: 1200 })).retryAfterSeconds).toBe(2);
    expect(scimFault(new RosterError('request.rate_limited', 'x', { retryAfterMs: 3 })).retryAfterSeconds).toBe(1);
  });

  it('never sends the message of an internal error', () => {
    for (const error of [new Error('SELECT secret FROM x'), new RosterError('store.unavailable', 'db password wrong'), 'boom']) {
      const fault = scimFault(error);
      expect(fault.status).toBe(500);
      expect(fault.internal).toBe(true);
      expect(fault.body.detail).toBe('Internal server error');
    }
  });

  it("answers Fastify's client errors with fixed texts", () => {
    const badJson = Object.assign(new SyntaxError('Unexpected token s in JSON: secret'), { statusCode: 400 });
    expect(scimFault(badJson).body).toEqual({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidSyntax', detail: 'The request body is not valid JSON' });
    const tooLarge = Object.assign(new Error('too large'), { statusCode: 413 });
    expect(scimFault(tooLarge, 1024).body.detail).toContain('1024 bytes');
    expect(scimFault(Object.assign(new Error('x'), { statusCode: 415 })).status).toBe(415);
  });
});
