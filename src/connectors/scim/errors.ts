import { RosterError } from '../../core/errors.js';

/** A SCIM error body (RFC 7644 §3.12): status, scimType, detail. */
export interface ScimErrorBody {
  readonly scimType?: string;
  readonly detail?: string;
}

/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as
 * milliseconds from `now`; undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface HttpFailure {
  readonly method: string;
  /** Origin and path only: queries carry filter values, never needed to explain a failure. */
  readonly where: string;
  readonly status: number;
  readonly body: ScimErrorBody | undefined;
  readonly retryAfter: string | null;
}

/**
 * An HTTP failure as a RosterError. 401/403 are not retryable: a bad
 * credential retried forever only fills the queue; a 401 is target-wide. 408, 429 and 5xx are, with
 * the server's Retry-After when it gave one. Messages hold no header and no
 * request body (either may carry a secret).
 */
export function httpError(targetId: string, failure: HttpFailure): RosterError {
  const { method, where, status, body } = failure;
  const said = [body?.scimType, body?.detail].filter((s) => typeof s === 'string' && s !== '').join(': ');
  const message = `${method} ${where} on ${targetId}: HTTP ${status}${said === '' ? '' : ` (${said})`}`;
  const details = { status, ...(body?.scimType === undefined ? {} : { scimType: body.scimType }) };
  const retryAfterMs = parseRetryAfter(failure.retryAfter);
  if (status === 429) return new RosterError('target.rate_limited', message, { retryable: true, retryAfterMs, details });
  // 408: the server gave up waiting for the request; nothing was done, so another try can succeed.
  if (status >= 500 || status === 408) return new RosterError('target.unavailable', message, { retryable: true, retryAfterMs, details });
  // 401: the credentials themselves are refused, for every change alike (targetWide: the target is quarantined at once);
  // a 403 may be this one resource or operation only.
  if (status === 401 || status === 403) return new RosterError('target.rejected', `${message}: check the credentials and their scope`, { details, targetWide: status === 401 });
  // 410 Gone is a 404 that says it is for good: a delete of it is done, a read finds no such resource.
  if (status === 404 || status === 410) return new RosterError('target.not_found', message, { details });
  if (status === 409) return new RosterError('target.conflict', message, { details });
  return new RosterError('target.rejected', message, { details });
}

/** A request that got no HTTP answer: refused, reset, timed out. Retryable. */
export function networkError(targetId: string, method: string, where: string, error: unknown): RosterError {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'error';
  const reason = code === 'TimeoutError' ? 'timed out' : `no answer (${code})`;
  return new RosterError('target.unavailable', `${method} ${where} on ${targetId}: ${reason}`, { retryable: true, cause: error });
}

/** The SCIM error type of a RosterError made by httpError, e.g. noTarget, uniqueness. */
export function scimTypeOf(error: unknown): string | undefined {
  const scimType = error instanceof RosterError ? error.details?.scimType : undefined;
  return typeof scimType === 'string' ? scimType : undefined;
}
