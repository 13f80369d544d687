import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import type { ApiToken, Store } from '../store/types.js';
import { createToken, revokeToken, VERIFIED_TOKEN_TTL_MS, VerifiedTokens } from './tokens.js';
import { scimFixture } from './scim/testing.js';

/**
 * The verified-token cache the auth hook uses (src/api/tokens.ts), here
 * because the SCIM server is the client that sends thousands of requests a
 * second with one token.
 */
describe('verified tokens', () => {
  let store: Store;
  let lookups: string[];
  /** The store as the cache sees it: every findByHash recorded, optionally held until `release`. */
  let counted: Store;
  let hold: Promise<void> | undefined;
  let clock: number;

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    lookups = [];
    hold = undefined;
    clock = 1_000_000;
    counted = {
      ...store,
      tokens: {
        ...store.tokens,
        findByHash: async (hash: string): Promise<ApiToken | undefined> => {
          lookups.push(hash);
          const found = await store.tokens.findByHash(hash);
          await hold;
          return found;
        },
      },
    };
  });
  afterEach(async () => {
    await store.close();
  });

  it('asks the store once per window for a live token, and again once the window is over', async () => {
    const { id, token } = await createToken(store, 'idp', ['scim']);
    const verified = new VerifiedTokens(counted, () => clock);
    for (let i = 0; i < 5; i += 1) expect((await verified.verify(token))?.id).toBe(id);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatch(/^[0-9a-f]{64}$/); // the hash, never the token
    clock += VERIFIED_TOKEN_TTL_MS;
    expect((await verified.verify(token))?.id).toBe(id);
    expect(lookups).toHaveLength(2);
  });

  it('sees a revocation made elsewhere (another process) once the window is over', async () => {
    const { id, token } = await createToken(store, 'idp', ['scim']);
    const verified = new VerifiedTokens(counted, () => clock);
    expect(await verified.verify(token)).toBeDefined();
    await store.tokens.revoke(id);
    clock += VERIFIED_TOKEN_TTL_MS - 1;
    expect(await verified.verify(token)).toBeDefined();
    clock += 1;
    expect(await verified.verify(token)).toBeUndefined();
  });

  it('never caches unknown, malformed or revoked tokens', async () => {
    const { id, token } = await createToken(store, 'idp', ['scim']);
    await store.tokens.revoke(id);
    const verified = new VerifiedTokens(counted, () => clock);
    for (let i = 0; i < 2; i += 1) {
      expect(await verified.verify(token)).toBeUndefined();
      expect(await verified.verify(`rst_${'A'.repeat(43)}`)).toBeUndefined();
      expect(await verified.verify('not-a-token')).toBeUndefined();
    }
    expect(lookups).toHaveLength(4); // two tokens of the right form, twice each; the malformed one never reaches the store
  });

  it('forgets a token at once, even when a lookup that read it live finishes afterwards', async () => {
    const { id, token } = await createToken(store, 'idp', ['scim']);
    const verified = new VerifiedTokens(counted, () => clock);
    let release!: () => void;
    hold = new Promise((resolve) => {
      release = resolve;
    });
    const inFlight = verified.verify(token);
    await new Promise((resolve) => setTimeout(resolve, 10)); // the store has answered "live"; the lookup waits on `hold`
    verified.forget(id);
    release();
    expect((await inFlight)?.id).toBe(id); // it was live when asked…
    await store.tokens.revoke(id);
    expect(await verified.verify(token)).toBeUndefined(); // …but was not cached past the forget
  });

  it('records a touch in the cached record, so the next request does not touch again', async () => {
    const { id, token } = await createToken(store, 'idp', ['scim']);
    const verified = new VerifiedTokens(counted, () => clock);
    expect((await verified.verify(token))?.lastUsedAt).toBeUndefined();
    const at = new Date('2026-11-27T09:00:00Z');
    verified.touched(id, at);
    expect((await verified.verify(token))?.lastUsedAt).toBe(at.toISOString());
    expect(lookups).toHaveLength(1);
  });
});

describe('revokeToken on a running SCIM server', () => {
  it('answers 401 to the very next request with the revoked token', async () => {
    const fixture = await scimFixture();
    try {
      const get = () => fixture.app.inject({ method: 'GET', url: '/scim/v2/Users', headers: fixture.headers });
      expect((await get()).statusCode).toBe(200);
      expect((await get()).statusCode).toBe(200); // now served from the cache
      const [idp] = (await fixture.store.tokens.list()).filter((token) => token.name === 'idp');
      expect(await revokeToken(fixture.store, idp!.id)).toBe(true);
      expect((await get()).statusCode).toBe(401);
      expect(await revokeToken(fixture.store, idp!.id)).toBe(false);
    } finally {
      await fixture.close();
    }
  });
});
