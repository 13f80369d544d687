import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RosterError } from '../core/errors.js';
import type { ApiToken, Store } from '../store/types.js';
import { hasScope, verifiedTokens, type VerifiedTokens } from './tokens.js';

/**
 * What a route asks of the caller, set in the route's `config.scope`:
 * 'public' (no token), a scope name, or a function of the request (e.g.
 * `push:<id>` from the path). A route without one needs any valid token.
 */
export type ScopeRule = 'public' | string | ((request: FastifyRequest) => string);

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: ScopeRule;
  }
  interface FastifyRequest {
    token?: ApiToken;
  }
}

/** The acting principal for the audit log: `token:<name>`. */
export function actorOf(request: FastifyRequest): string {
  return request.token === undefined ? 'anonymous' : `token:${request.token.name}`;
}

export function requireScope(request: FastifyRequest, scope: string): void {
  const scopes = request.token?.scopes ?? [];
  if (!hasScope(scopes, scope)) throw new RosterError('auth.forbidden', `this token lacks the '${scope}' scope`);
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const TOUCH_EVERY_MS = 60_000;

/**
 * Records last use at most once a minute per token, without waiting for it:
 * a write per request would slow the latency-sensitive HR push path.
 */
function touchNowAndThen(store: Store, verified: VerifiedTokens, token: ApiToken, request: FastifyRequest): void {
  const last = token.lastUsedAt === undefined ? 0 : Date.parse(token.lastUsedAt);
  if (Date.now() - last < TOUCH_EVERY_MS) return;
  const now = new Date();
  verified.touched(token.id, now);
  store.tokens.touch(token.id, now).catch((error: unknown) => request.log.warn({ err: error }, 'token touch failed'));
}

/**
 * Checks the bearer token before the body is read (so a 10 MiB body from a
 * stranger is never parsed). Live tokens are trusted for a couple of seconds
 * once verified (see VerifiedTokens): no store lookup per request.
 */
export function registerAuth(app: FastifyInstance, store: Store): void {
  const verified = verifiedTokens(store);
  app.decorateRequest('token', undefined);
  app.addHook('onRequest', async (request) => {
    const rule = request.routeOptions.config.scope;
    if (rule === 'public') return;
    const presented = bearer(request);
    if (presented === undefined) throw new RosterError('auth.required', 'a bearer token is required');
    const token = await verified.verify(presented);
    if (token === undefined) throw new RosterError('auth.required', 'the bearer token is invalid or revoked');
    request.token = token;
    touchNowAndThen(store, verified, token, request);
    if (rule !== undefined) requireScope(request, typeof rule === 'function' ? rule(request) : rule);
  });
}
