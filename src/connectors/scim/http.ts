import { createRequire } from 'node:module';
import { RosterError } from '../../core/errors.js';
import type { Authenticator } from './auth.js';
import { httpError, networkError, type ScimErrorBody } from './errors.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };
const USER_AGENT = `roster/${version}`;
const SCIM_JSON = 'application/scim+json';
/** A read told to wait longer than this is not retried here: the executor's queue waits better than a held request. */
const MAX_INLINE_WAIT_MS = 10_000;
/** Of an error answer only the scimType and the start of the detail are used: read no more than this of it. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** No SCIM answer is this large (a page of users, a group of 100k members is ~10 MiB): an endless body is refused. */
const MAX_BODY_BYTES = 64 * 2 ** 20;

export interface ScimHttpOptions {
  readonly baseUrl: string;
  readonly targetId: string;
  readonly auth: Authenticator;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly maxRetries: number;
}

export type Query = Readonly<Record<string, string | number | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  /** The version a read-modify-write started from (RFC 7644 §3.14): the server answers 412 if it changed. */
  readonly ifMatch?: string;
}

export interface ScimResponse {
  readonly status: number;
  /** The parsed JSON body; undefined for 204, and for a write (not GET) answered with no JSON. */
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
  /** Aborted by close(): requests under way end at once, and none is retried or started after. */
  readonly #closing = new AbortController();

  constructor(options: ScimHttpOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ScimResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#limited(() => this.#send(method, path, options));
      } catch (error) {
        const wait = method === 'GET' && attempt < this.#options.maxRetries ? retryDelay(error, attempt) : undefined;
        if (wait === undefined || this.#closing.signal.aborted) throw error;
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

  /** End the requests under way (a silent server would hold them for timeoutMs, and a GET for its retries too). */
  close(): void {
    this.#closing.abort(new Error('the connector is closed'));
  }

  async #send(method: string, path: string, options: RequestOptions, reauthorised = false): Promise<ScimResponse> {
    if (this.#closing.signal.aborted) throw networkError(this.#options.targetId, method, this.#base + path, this.#closing.signal.reason);
    const url = new URL(this.#base + path);
    // Percent-encoded, spaces as %20: `+` for a space is HTML-form encoding, which a server that decodes the query
    // as RFC 3986 says reads as a `+` (a filter `userName+eq+"…"` it cannot parse).
    const query = Object.entries(options.query ?? {}).filter(([, value]) => value !== undefined);
    url.search = query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`).join('&');
    const where = url.origin + url.pathname;
    const headers: Record<string, string> = {
      authorization: await this.#options.auth.authorization(),
      accept: `${SCIM_JSON}, application/json`,
      'user-agent': USER_AGENT,
    };
    if (options.body !== undefined) headers['content-type'] = SCIM_JSON;
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.any([AbortSignal.timeout(this.#options.timeoutMs), this.#closing.signal]),
        // A redirect is not followed: fetch would resend the body (personal data) to wherever it points.
        redirect: 'manual',
      });
    } catch (error) {
      throw networkError(this.#options.targetId, method, where, error);
    }
    let text: string;
    if (response.ok) {
      let read: { text: string; complete: boolean };
      try {
        read = await readAtMost(response, MAX_BODY_BYTES);
      } catch (error) {
        // A body cut or stalled: an empty text here would read as "no such account" or as the end of a list.
        throw networkError(this.#options.targetId, method, where, error);
      }
      if (!read.complete) {
        throw new RosterError('target.rejected', `${method} ${where} on ${this.#options.targetId}: HTTP ${response.status} with an answer over ${MAX_BODY_BYTES / 2 ** 20} MiB`, { details: { status: response.status } });
      }
      text = read.text;
    } else {
      // The status is the answer; a body that is huge, endless or cut only loses the detail.
      text = (await readAtMost(response, MAX_ERROR_BODY_BYTES).catch(() => undefined))?.text ?? '';
    }
    if (response.status === 401 && !reauthorised && this.#options.auth.rejected()) return this.#send(method, path, options, true);
    const body = parseJson(text);
    if (response.status >= 300 && response.status < 400) {
      throw new RosterError('target.rejected', `${method} ${where} on ${this.#options.targetId}: HTTP ${response.status} redirects to ${redirectTarget(url, response.headers.get('location'))}; set baseUrl to the final URL`, {
        details: { status: response.status },
      });
    }
    if (!response.ok) {
      const credential = headers.authorization?.slice(headers.authorization.indexOf(' ') + 1) ?? '';
      throw httpError(this.#options.targetId, { method, where, status: response.status, body: errorBody(body, credential), retryAfter: response.headers.get('retry-after') });
    }
    // A write succeeded on a 2xx whatever its body: failing it would have the executor retry a change already made.
    // Its answer comes back as no body (DELETE, PATCH and PUT do not use it; a POST finds what it created). A read
    // (GET) needs its body: one that is not JSON is a failure, not "nothing there".
    if (text !== '' && body === undefined && method === 'GET') {
      throw new RosterError('target.rejected', `${method} ${where} on ${this.#options.targetId}: HTTP ${response.status} but the answer is not JSON`, { details: { status: response.status } });
    }
    return { status: response.status, body };
  }
}

/** The path of a resource by id: an id that is a URL dot-segment (or empty) would name the base URL or its parent. */
export function resourcePath(endpoint: string, id: string, targetId: string): string {
  if (id === '' || id === '.' || id === '..') {
    throw new RosterError('target.rejected', `${endpoint} on ${targetId}: ${JSON.stringify(id)} is not a usable SCIM resource id`);
  }
  return `${endpoint}/${encodeURIComponent(id)}`;
}

/** Where a redirect points, origin and path only (its query may carry anything). */
function redirectTarget(from: URL, location: string | null): string {
  if (location === null) return 'nowhere (no Location)';
  try {
    const to = new URL(location, from);
    return to.origin + to.pathname;
  } catch {
    return 'an unreadable Location';
  }
}

/** The body, or its first `limit` bytes (complete: false) without downloading the rest. */
async function readAtMost(response: Response, limit: number): Promise<{ text: string; complete: boolean }> {
  if (response.body === null) return { text: '', complete: true };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  try {
    while (size <= limit) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    if (!complete) await reader.cancel().catch(() => undefined);
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit)), complete: complete && size <= limit };
}

/** A resource's version (RFC 7643 §3.1 meta.version, the ETag) for If-Match; undefined when it has none. */
export function versionOf(resource: unknown): string | undefined {
  const version = (resource as { meta?: { version?: unknown } } | null | undefined)?.meta?.version;
  // A header value: a server's version with a line break in it is not sent.
  return typeof version === 'string' && version !== '' && !/[\r\n]/.test(version) ? version : undefined;
}

/** The server answered 412: the resource changed since it was read. */
export function isStale(error: unknown): boolean {
  return error instanceof RosterError && error.details?.status === 412;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** scimType and detail, shortened; a server that echoes the credential it was sent does not get it into a message. */
function errorBody(body: unknown, credential: string): ScimErrorBody | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { scimType, detail } = body as Record<string, unknown>;
  const clean = (text: unknown, max: number) => {
    if (typeof text !== 'string') return undefined;
    return (credential.length >= 4 ? text.split(credential).join('[redacted]') : text).slice(0, max);
  };
  return { scimType: clean(scimType, 100), detail: clean(detail, 300) };
}

/** How long to wait before retrying a read, or undefined when it should not be retried here. */
function retryDelay(error: unknown, attempt: number): number | undefined {
  if (!(error instanceof RosterError) || !error.retryable) return undefined;
  const wait = error.retryAfterMs ?? 100 * 2 ** attempt;
  return wait <= MAX_INLINE_WAIT_MS ? wait : undefined;
}
