import { describe, expect, it } from 'vitest';
import { RosterError } from '../../core/errors.js';
import { TokenBuckets } from './rate-limit.js';

function rateLimited(take: () => void): RosterError | undefined {
  try {
    take();
    return undefined;
  } catch (error) {
    if (error instanceof RosterError && error.code === 'request.rate_limited') return error;
    throw error;
  }
}

describe('TokenBuckets', () => {
  it('allows a burst, then refuses with the wait until the next token', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, () => now);
    for (let i = 0; i < 3; i += 1) buckets.take('a');
    const refused = rateLimited(() => buckets.take('a'));
    expect(refused?.retryAfterMs).toBe(500);
    now = 500;
    expect(rateLimited(() => buckets.take('a'))).toBeUndefined();
    expect(rateLimited(() => buckets.take('a'))).toBeDefined();
  });

  it('keeps one bucket per token', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, () => 0);
    buckets.take('a');
    expect(rateLimited(() => buckets.take('a'))).toBeDefined();
    expect(rateLimited(() => buckets.take('b'))).toBeUndefined();
  });

  it('never holds more than the burst after a long pause', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 10, burst: 2 }, () => now);
    now = 3_600_000;
    buckets.take('a');
    buckets.take('a');
    expect(rateLimited(() => buckets.take('a'))).toBeDefined();
  });

  it('refuses a limit that could never let a request through', () => {
    expect(() => new TokenBuckets({ perSecond: 0, burst: 5 })).toThrow(/perSecond/);
    expect(() => new TokenBuckets({ perSecond: 5, burst: 0 })).toThrow(/burst/);
  });
});
