import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { createToken, hashToken, hasScope, isValidScope, verifyToken } from './tokens.js';

describe('tokens', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('creates rst_ tokens of 32 random bytes, stored only as a sha256 hash', async () => {
    const { id, token } = await createToken(store, 'workday', ['push:hr']);
    expect(token).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    const found = await store.tokens.findByHash(hashToken(token));
    expect(found).toMatchObject({ id, name: 'workday', scopes: ['push:hr'] });
    expect(JSON.stringify(await store.tokens.list())).not.toContain(token);
    const other = await createToken(store, 'workday-2', ['push:hr']);
    expect(other.token).not.toBe(token);
  });

  it('verifies a live token and rejects unknown, malformed and revoked ones', async () => {
    const { id, token } = await createToken(store, 'ops', ['admin']);
    expect((await verifyToken(store, token))?.id).toBe(id);
    expect(await verifyToken(store, token + 'x')).toBeUndefined();
    expect(await verifyToken(store, 'not-a-token')).toBeUndefined();
    expect(await store.tokens.revoke(id)).toBe(true);
    expect(await verifyToken(store, token)).toBeUndefined();
  });

  it('refuses unknown scopes and empty names', async () => {
    await expect(createToken(store, 'x', ['root'])).rejects.toMatchObject({ code: 'request.invalid' });
    await expect(createToken(store, 'x', [])).rejects.toMatchObject({ code: 'request.invalid' });
    await expect(createToken(store, ' ', ['admin'])).rejects.toMatchObject({ code: 'request.invalid' });
    expect(isValidScope('push:hr')).toBe(true);
    expect(isValidScope('push:')).toBe(false);
  });

  it('admin satisfies every scope, api:write implies api:read, nothing else is implied', () => {
    expect(hasScope(['admin'], 'push:hr')).toBe(true);
    expect(hasScope(['api:write'], 'api:read')).toBe(true);
    expect(hasScope(['api:read'], 'api:write')).toBe(false);
    expect(hasScope(['push:hr'], 'push:crm')).toBe(false);
    expect(hasScope(['scim'], 'metrics')).toBe(false);
  });
});
