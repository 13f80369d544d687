import { createRequire } from 'node:module';
import { RosterError } from '../../core/errors.js';
import type { Authenticator } from './auth.js';
import { httpError, networkError, type ScimErrorBody } from './errors.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };
const USER_AGENT = `roster/${version}`;
const SCIM_JSON = 'application/scim+json';
/** A read told to wait longer than this is not retried here: the executor's queue waits better than a held request. */
const MAX_INLINE_WAIT_MS = 10_000;

export interface ScimHttpOptions {
  readonly baseUrl: string;
  readonly targetId: string;
  readonly auth: Authenticator;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly maxRetries: number;
}

export type Query = Readonly<Record<string, string | number | undefined>>;

export interface ScimResponse {
  readonly status: number;
  /** The parsed JSON body; undefined for 204. */
  readonly body: unknown;
}

/**
 * The HTTP side of the SCIM connector: Node's fetch (undici, keep-alive by
 * default) with a timeout per request, at most `concurrency` requests in
 * flight, one retry with a fresh token after a 401 (oauth2), and retries of
 * reads (GET) that failed in a retryable way. Writes are not retried here:
 * the executor retries them with its own backoff, and retrying a POST twice
 * is how duplicates happen. Headers and bodies are never logged.
 */
export class ScimHttp {
  readonly #options: ScimHttpOptions;
  readonly #base: string;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(options: ScimHttpOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
  }

  async request(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<ScimResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#limited(() => this.#send(method, path, options));
      } catch (error) {
        const wait = method === 'GET' && attempt < this.#options.maxRetries ? retryDelay(error, attempt) : undefined;
        if (wait === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  async #limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#options.concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await work();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  async #send(method: string, path: string, options: { query?: Query; body?: unknown }, reauthorised = false): Promise<ScimResponse> {
    const url = new URL(this.#base + path);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const where = url.origin + url.pathname;
    const headers: Record<string, string> = {
      authorization: await this.#options.auth.authorization(),
      accept: `${SCIM_JSON}, application/json`,
      'user-agent': USER_AGENT,
    };
    if (options.body !== undefined) headers['content-type'] = SCIM_JSON;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      throw networkError(this.#options.targetId, method, where, error);
    }
    const text = await response.text().catch(() => '');
    if (response.status === 401 && !reauthorised && this.#options.auth.rejected()) return this.#send(method, path, options, true);
    const body = parseJson(text);
    if (!response.ok) {
      throw httpError(this.#options.targetId, { method, where, status: response.status, body: errorBody(body), retryAfter: response.headers.get('retry-after') });
    }
    if (text !== '' && body === undefined) {
      throw new RosterError('target.rejected', `${method} ${where} on ${this.#options.targetId}: HTTP ${response.status} but the answer is not JSON`, { details: { status: response.status } });
    }
    return { status: response.status, body };
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorBody(body: unknown): ScimErrorBody | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { scimType, detail } = body as Record<string, unknown>;
  return { scimType: typeof scimType === 'string' ? scimType : undefined, detail: typeof detail === 'string' ? detail.slice(0, 300) : undefined };
}

/** How long to wait before retrying a read, or undefined when it should not be retried here. */
function retryDelay(error: unknown, attempt: number): number | undefined {
  if (!(error instanceof RosterError) || !error.retryable) return undefined;
  const wait = error.retryAfterMs ?? 100 * 2 ** attempt;
  return wait <= MAX_INLINE_WAIT_MS ? wait : undefined;
}
