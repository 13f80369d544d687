import { describe, expect, it } from 'vitest';
import { statusOf } from './errors.js';

describe('error status table', () => {
  it('maps each documented code to its status and everything else to 500', () => {
    expect(statusOf('request.invalid')).toBe(400);
    expect(statusOf('auth.required')).toBe(401);
    expect(statusOf('auth.forbidden')).toBe(403);
    for (const code of ['plan.not_found', 'identity.not_found', 'target.not_found', 'store.not_found'] as const) expect(statusOf(code)).toBe(404);
    expect(statusOf('plan.stale')).toBe(409);
    expect(statusOf('plan.held')).toBe(409);
    expect(statusOf('target.rate_limited')).toBe(429);
    expect(statusOf('target.unavailable')).toBe(503);
    expect(statusOf('source.unavailable')).toBe(503);
    expect(statusOf('target.rejected')).toBe(502);
    expect(statusOf('target.conflict')).toBe(409);
    expect(statusOf('source.malformed')).toBe(422);
    expect(statusOf('internal')).toBe(500);
  });
});
