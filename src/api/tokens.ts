import { createHash, randomBytes, randomUUID } from 'node:crypto';
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

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
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

/**
 * The token's record when the presented value is a live token, undefined
 * otherwise. Lookup is by hash, so no comparison of secrets happens here.
 */
export async function verifyToken(store: Store, presented: string): Promise<ApiToken | undefined> {
  if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 128) return undefined;
  const token = await store.tokens.findByHash(hashToken(presented));
  if (token === undefined || token.revokedAt != null) return undefined; // != null: a back end may return null
  return token;
}

/** Does a token with these scopes satisfy `required`? `admin` satisfies everything. */
export function hasScope(scopes: readonly string[], required: string): boolean {
  if (scopes.includes('admin') || scopes.includes(required)) return true;
  return required === 'api:read' && scopes.includes('api:write');
}
