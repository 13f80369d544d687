/**
 * One error type for the whole engine. `code` is stable (documented, matched on
 * by callers and turned into HTTP / CLI output only at the edges), `retryable`
 * tells the executor whether trying again can help.
 */
export type ErrorCode =
  | 'config.invalid'
  | 'config.not_found'
  | 'expression.failed'
  | 'source.malformed'
  | 'source.unavailable'
  /** No source with that id in the configuration: HTTP 404. */
  | 'source.not_found'
  | 'store.conflict'
  | 'store.not_found'
  | 'store.unavailable'
  | 'plan.stale'
  | 'plan.held'
  | 'plan.not_found'
  | 'identity.not_found'
  | 'target.not_found'
  | 'target.unavailable'
  | 'target.rate_limited'
  | 'target.rejected'
  | 'target.conflict'
  | 'target.not_found'
  | 'target.quarantined'
  | 'auth.required'
  | 'auth.forbidden'
  | 'request.invalid'
  /** A conditional request's precondition (If-Match) does not hold: HTTP 412. */
  | 'request.precondition_failed'
  /** The request body or a bulk request is over a configured limit: HTTP 413. */
  | 'request.too_large'
  /** The caller sent too many requests: HTTP 429 (retryAfterMs says when to come back). */
  | 'request.rate_limited'
  | 'internal';

export interface RosterErrorOptions {
  readonly retryable?: boolean;
  /** Milliseconds the caller asked us to wait (Retry-After). */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, unknown>>;
  /**
   * The error says the target as a whole cannot be used (its bind password is
   * wrong, its TLS certificate is refused, its credentials are rejected), not
   * that this one change cannot be made: set by the connectors' error mapping.
   * The executor then quarantines the target at once and puts the change back
   * unspent, instead of failing change after change for good.
   */
  readonly targetWide?: boolean;
}

export class RosterError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** See RosterErrorOptions.targetWide. */
  readonly targetWide: boolean;

  constructor(code: ErrorCode, message: string, options: RosterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RosterError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
    this.targetWide = options.targetWide ?? false;
  }
}

export function isRosterError(error: unknown, code?: ErrorCode): error is RosterError {
  return error instanceof RosterError && (code === undefined || error.code === code);
}

/** Guard: throw a RosterError when the condition does not hold. */
export function assertThat(condition: unknown, code: ErrorCode, message: string): asserts condition {
  if (!condition) throw new RosterError(code, message);
}

/** Wrap anything thrown into a RosterError, keeping the original as `cause`. */
export function toRosterError(error: unknown, code: ErrorCode = 'internal'): RosterError {
  if (error instanceof RosterError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RosterError(code, message, { cause: error });
}
