import { RosterError } from '../../core/errors.js';

export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 200, burst: 400 };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * One token bucket per API token: an identity provider may burst (Entra sends
 * its initial cycle as fast as it can) but cannot keep more than `perSecond`
 * up. The map holds one entry per live token, so it stays small.
 */
export class TokenBuckets {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, now: () => number = Date.now) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new RosterError('config.invalid', 'scim rate limit needs perSecond > 0 and burst >= 1');
    this.#limit = limit;
    this.#now = now;
  }

  /** Takes one token for `key`, or throws request.rate_limited with the wait until one is back. */
  take(key: string): void {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, updatedMs: now };
    const refilled = Math.min(this.#limit.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.#limit.perSecond);
    bucket.updatedMs = now;
    if (refilled < 1) {
      bucket.tokens = refilled;
      this.#buckets.set(key, bucket);
      const waitMs = ((1 - refilled) / this.#limit.perSecond) * 1000;
      throw new RosterError('request.rate_limited', 'Too many requests for this token; retry later', { retryAfterMs: waitMs });
    }
    bucket.tokens = refilled - 1;
    this.#buckets.set(key, bucket);
  }

  /**
   * Charges `count` more tokens to `key` without refusing: work already let
   * through by take() (the operations of a /Bulk beyond the first). The
   * bucket may go below zero; take() then refuses until it has refilled, so
   * a Bulk of N writes costs N requests' worth, even when N exceeds the burst.
   */
  charge(key: string, count: number): void {
    if (!(count > 0)) return;
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, updatedMs: now };
    const refilled = Math.min(this.#limit.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.#limit.perSecond);
    this.#buckets.set(key, { tokens: refilled - count, updatedMs: now });
  }
}
