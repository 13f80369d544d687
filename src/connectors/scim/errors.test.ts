import { describe, expect, it } from 'vitest';
import { httpError, parseRetryAfter } from './errors.js';

const failure = (status: number, retryAfter: string | null = null) => ({ method: 'GET', where: 'https://app.example.com/scim/v2/Users', status, body: undefined, retryAfter });

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('httpError', () => {
  it('makes 429 rate_limited and retryable, with the wait', () => {
    const error = httpError('app', failure(429, '7'));
    expect(error).toMatchObject({ code: 'target.rate_limited', retryable: true, retryAfterMs: 7000 });
  });

  it('makes 5xx unavailable and retryable', () => {
    expect(httpError('app', failure(503))).toMatchObject({ code: 'target.unavailable', retryable: true });
  });

  it('makes 401 and 403 rejected and not retryable: a bad credential is not retried forever', () => {
    for (const status of [401, 403]) expect(httpError('app', failure(status))).toMatchObject({ code: 'target.rejected', retryable: false });
  });

  it('keeps the SCIM error type and detail, and names method, URL and status', () => {
    const error = httpError('app', { ...failure(409), method: 'POST', body: { scimType: 'uniqueness', detail: 'userName taken' } });
    expect(error.code).toBe('target.conflict');
    expect(error.message).toBe('POST https://app.example.com/scim/v2/Users on app: HTTP 409 (uniqueness: userName taken)');
    expect(error.details).toEqual({ status: 409, scimType: 'uniqueness' });
  });
});
