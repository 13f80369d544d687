import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isRosterError, type ErrorCode } from '../core/errors.js';

/** The one table from RosterError codes to HTTP statuses. Anything not listed is a 500. */
const STATUS: Readonly<Partial<Record<ErrorCode, number>>> = {
  'request.invalid': 400,
  'config.invalid': 400,
  'auth.required': 401,
  'auth.forbidden': 403,
  'config.not_found': 404,
  'store.not_found': 404,
  'source.not_found': 404,
  'plan.not_found': 404,
  'identity.not_found': 404,
  'target.not_found': 404,
  'plan.stale': 409,
  'plan.held': 409,
  'store.conflict': 409,
  'target.rate_limited': 429,
  'request.precondition_failed': 412,
  'request.too_large': 413,
  'request.rate_limited': 429,
  // A source or target that fails or refuses (a directory down, a base that does not exist, an HR file that cannot
  // be read): said with its message (passwords are scrubbed where the error is made), never as an internal error.
  'source.malformed': 422,
  'target.conflict': 409,
  'target.rejected': 502,
  'source.unavailable': 503,
  'target.unavailable': 503,
};

/** Statuses of 500 and above that say what failed (a source or target) rather than hide it as internal. */
const UPSTREAM: ReadonlySet<number> = new Set([502, 503]);

/** Seconds a client is told to wait when the store is momentarily unavailable. */
export const STORE_RETRY_AFTER_S = 5;
/** What the client is told (the error's own text may name the database's host). */
export const STORE_BUSY_MESSAGE = 'the store is unavailable for a moment (locked by another process, or its connection was lost); try again';

/**
 * The store said it is unavailable and a retry may succeed (SQLite locked by
 * another process past the wait, a PostgreSQL connection lost or a statement
 * timed out): 503 with Retry-After, not a 500, so clients and load balancers
 * back off and come again.
 */
export function isStoreBusy(error: unknown): boolean {
  return isRosterError(error) && error.code === 'store.unavailable' && error.retryable;
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

function isFastifyClientError(error: unknown): error is FastifyError & { statusCode: number } {
  if (typeof error !== 'object' || error === null) return false;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Turns anything thrown in a route into a JSON error; 5xx never carry the internal message. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isStoreBusy(error)) {
    request.log.warn({ err: error }, 'store unavailable');
    const body: ErrorBody = { error: { code: 'store.unavailable', message: STORE_BUSY_MESSAGE } };
    return reply.status(503).header('Retry-After', String(STORE_RETRY_AFTER_S)).send(body);
  }
  if (isRosterError(error)) {
    const status = statusOf(error.code);
    if (status >= 500 && !UPSTREAM.has(status)) return internal(error, request, reply);
    if (status === 401) void reply.header('WWW-Authenticate', 'Bearer');
    if ((error.code === 'target.rate_limited' || error.code === 'request.rate_limited') && error.retryAfterMs !== undefined) {
      void reply.header('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
    }
    const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
    return reply.status(status).send(body);
  }
  if (isFastifyClientError(error)) {
    // Fastify's own client errors: malformed JSON, body too large, bad media type.
    const message = error.statusCode === 413 ? 'request body is too large' : error.message;
    const body: ErrorBody = { error: { code: 'request.invalid', message } };
    return reply.status(error.statusCode).send(body);
  }
  return internal(error, request, reply);
}

function internal(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.error({ err: error }, 'request failed');
  const body: ErrorBody = { error: { code: 'internal', message: 'internal error' } };
  return reply.status(500).send(body);
}
