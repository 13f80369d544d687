import { hash, randomBytes, randomUUID } from 'node:crypto';
import { RosterError } from '../core/errors.js';
import type { ApiToken, Store } from '../store/types.js';

/**
 * API tokens: `rst_` + 32 random bytes (base64url). Only the sha256 hex of a
 * token is stored; the token itself is shown once, when it is created.
 *
 * Scopes: `admin` (everything), `api:read`, `api:write` (implies api:read),
 * `push:<sourceId>`, `scim`, `metrics`.
 */
export const TOKEN_PREFIX = 'rst_';

const FIXED_SCOPES = new Set(['admin', 'api:read', 'api:write', 'scim', 'metrics']);
const PUSH_SCOPE = /^push:[A-Za-z0-9_.-]+$/;

export function isValidScope(scope: string): boolean {
  return FIXED_SCOPES.has(scope) || PUSH_SCOPE.test(scope);
}

/** sha256 hex of the token's UTF-8 bytes; the one-shot hash() skips a Hash object per request. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export async function createToken(
  store: Store,
  name: string,
  scopes: readonly string[],
): Promise<{ id: string; token: string }> {
  if (name.trim() === '') throw new RosterError('request.invalid', 'a token needs a name');
  if (scopes.length === 0) throw new RosterError('request.invalid', 'a token needs at least one scope');
  const unknown = scopes.filter((scope) => !isValidScope(scope));
  if (unknown.length > 0) {
    throw new RosterError(
      'request.invalid',
      `unknown scope ${unknown.map((s) => `'${s}'`).join(', ')} (expected admin, api:read, api:write, push:<sourceId>, scim, metrics)`,
    );
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await store.tokens.create({
    id,
    name,
    scopes: [...new Set(scopes)],
    createdAt: new Date().toISOString(),
    hash: hashToken(token),
  });
  return { id, token };
}

function wellFormed(presented: string): boolean {
  return presented.startsWith(TOKEN_PREFIX) && presented.length <= 128;
}

async function liveTokenByHash(store: Store, hash: string): Promise<ApiToken | undefined> {
  const token = await store.tokens.findByHash(hash);
  if (token === undefined || token.revokedAt != null) return undefined; // != null: a back end may return null
  return token;
}

/**
 * The token's record when the presented value is a live token, undefined
 * otherwise. Lookup is by hash, so no comparison of secrets happens here.
 * Always asks the store; the request path uses VerifiedTokens instead.
 */
export async function verifyToken(store: Store, presented: string): Promise<ApiToken | undefined> {
  return wellFormed(presented) ? liveTokenByHash(store, hashToken(presented)) : undefined;
}

/** How long a verified token is trusted before the store is asked again. */
export const VERIFIED_TOKEN_TTL_MS = 2_000;
/** Distinct live tokens kept; a deployment has a handful (one per client), so this only caps memory. */
const MAX_VERIFIED_TOKENS = 1_000;

interface Verified {
  readonly token: ApiToken;
  readonly untilMs: number;
}

/**
 * Tokens verified in the last VERIFIED_TOKEN_TTL_MS, by hash: a client
 * sending thousands of requests a second costs one store lookup every two
 * seconds instead of one per request. Only hashes are kept (the plaintext
 * never is), and only live tokens: an unknown or revoked one is looked up
 * every time, so it can never fill the cache or outlive its revocation here.
 *
 * Why the window is acceptable: a revocation made through revokeToken in
 * this process takes effect at once; one made by another process (the CLI,
 * another node on the same PostgreSQL) takes effect here within two seconds,
 * well under the time any revocation procedure takes to reach the token's holder.
 */
export class VerifiedTokens {
  readonly #store: Store;
  readonly #nowMs: () => number;
  readonly #entries = new Map<string, Verified>();
  /** Bumped by forget: a lookup that started before it must not cache what it read. */
  #generation = 0;

  constructor(store: Store, nowMs: () => number = Date.now) {
    this.#store = store;
    this.#nowMs = nowMs;
  }

  async verify(presented: string): Promise<ApiToken | undefined> {
    if (!wellFormed(presented)) return undefined;
    const hash = hashToken(presented);
    const cached = this.#entries.get(hash);
    if (cached !== undefined && cached.untilMs > this.#nowMs()) return cached.token;
    const generation = this.#generation;
    const token = await liveTokenByHash(this.#store, hash);
    if (token === undefined || generation !== this.#generation) {
      this.#entries.delete(hash);
      return token;
    }
    this.#entries.delete(hash);
    if (this.#entries.size >= MAX_VERIFIED_TOKENS) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(hash, { token, untilMs: this.#nowMs() + VERIFIED_TOKEN_TTL_MS });
    return token;
  }

  /** The cached records of token `id` now show `lastUsedAt` (so the next touch waits its minute). */
  touched(id: string, at: Date): void {
    for (const [hash, entry] of this.#entries) {
      if (entry.token.id === id) this.#entries.set(hash, { ...entry, token: { ...entry.token, lastUsedAt: at.toISOString() } });
    }
  }

  /** Drops token `id`: the next request with it asks the store. */
  forget(id: string): void {
    this.#generation += 1;
    for (const [hash, entry] of this.#entries) if (entry.token.id === id) this.#entries.delete(hash);
  }
}

/** One cache per store, shared by every server on it in this process, so revokeToken reaches them all. */
const verifiedByStore = new WeakMap<Store, VerifiedTokens>();

export function verifiedTokens(store: Store): VerifiedTokens {
  let verified = verifiedByStore.get(store);
  if (verified === undefined) {
    verified = new VerifiedTokens(store);
    verifiedByStore.set(store, verified);
  }
  return verified;
}

/** Revokes token `id` and drops it from this process's cache at once; false when no live token has that id. */
export async function revokeToken(store: Store, id: string): Promise<boolean> {
  try {
    return await store.tokens.revoke(id);
  } finally {
    verifiedByStore.get(store)?.forget(id);
  }
}

/** Does a token with these scopes satisfy `required`? `admin` satisfies everything. */
export function hasScope(scopes: readonly string[], required: string): boolean {
  if (scopes.includes('admin') || scopes.includes(required)) return true;
  return required === 'api:read' && scopes.includes('api:write');
}
