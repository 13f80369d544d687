import { RosterError } from '../../core/errors.js';
import type { ScimAuthConfig } from './config.js';
import { httpError, networkError } from './errors.js';

/** Supplies the Authorization header; never logs it. */
export interface Authenticator {
  authorization(): Promise<string>;
  /** The server answered 401: forget a cached token. True when asking again can help. */
  rejected(): boolean;
}

/**
 * Refresh this long before the token's stated expiry, so a request never leaves with a dying token; a token
 * that lives less than twice as long keeps half its life (a 30 s token is used for 15 s, not fetched per request).
 */
const EXPIRY_MARGIN_MS = 60_000;

/** When a token that lives `lifetimeMs` from now should be replaced. */
export function refreshAt(lifetimeMs: number, now = Date.now()): number {
  return now + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2);
}

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4): the client
 * authenticates with HTTP Basic (§2.3.1, id and secret form-encoded first).
 * One token request at a time; the token is cached until shortly before
 * `expires_in`, and dropped when the SCIM server answers 401.
 */
class ClientCredentials implements Authenticator {
  readonly #config: Extract<ScimAuthConfig, { type: 'oauth2' }>;
  readonly #targetId: string;
  readonly #timeoutMs: number;
  #token: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;

  constructor(config: Extract<ScimAuthConfig, { type: 'oauth2' }>, targetId: string, timeoutMs: number) {
    this.#config = config;
    this.#targetId = targetId;
    this.#timeoutMs = timeoutMs;
  }

  async authorization(): Promise<string> {
    const token = this.#token;
    if (token !== undefined && Date.now() < token.expiresAt) return `Bearer ${token.value}`;
    this.#pending ??= this.#request().finally(() => {
      this.#pending = undefined;
    });
    this.#token = await this.#pending;
    return `Bearer ${this.#token.value}`;
  }

  rejected(): boolean {
    this.#token = undefined;
    return true;
  }

  async #request(): Promise<CachedToken> {
    const { tokenUrl, clientId, clientSecret, scope } = this.#config;
    const where = tokenUrl.split('?')[0] ?? tokenUrl;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) form.set('scope', scope);
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw networkError(this.#targetId, 'POST', where, error);
    }
    let text = '';
    try {
      text = await response.text();
    } catch (error) {
      // Cut or stalled: a retryable failure, not "the endpoint answered without a token".
      if (response.ok) throw networkError(this.#targetId, 'POST', where, error);
    }
    const body = parseObject(text) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (!response.ok) {
      // RFC 6749 §5.2: `error` is a code such as invalid_client; it carries no secret.
      const detail = typeof body?.error === 'string' ? body.error : undefined;
      const error = httpError(this.#targetId, { method: 'POST', where, status: response.status, body: { detail }, retryAfter: response.headers.get('retry-after') });
      // No token, no change at all (invalid_client: a wrong client secret): the target is unusable until it is fixed.
      throw error.retryable ? error : new RosterError(error.code, error.message, { ...(error.details === undefined ? {} : { details: error.details }), targetWide: true });
    }
    if (typeof body?.access_token !== 'string' || body.access_token === '') {
      throw new RosterError('target.rejected', `POST ${where} on ${this.#targetId}: the token endpoint answered without an access_token`, { targetWide: true });
    }
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : Number(body.expires_in) * 1000;
    const expiresAt = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? refreshAt(lifetimeMs) : Number.POSITIVE_INFINITY;
    return { value: body.access_token, expiresAt };
  }
}

function parseObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A fixed header (bearer token, HTTP Basic): a 401 will not change with another try. */
function fixed(header: string): Authenticator {
  return { authorization: async () => header, rejected: () => false };
}

export function authenticator(config: ScimAuthConfig, targetId: string, timeoutMs: number): Authenticator {
  switch (config.type) {
    case 'bearer':
      return fixed(`Bearer ${config.token}`);
    case 'basic':
      return fixed(`Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`);
    case 'oauth2':
      return new ClientCredentials(config, targetId, timeoutMs);
  }
}
