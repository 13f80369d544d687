import { RosterError } from '../../core/errors.js';

const RETRYABLE_SQLITE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/**
 * PostgreSQL SQLSTATEs worth retrying: connection, resources, operator intervention, serialization, and a
 * statement cancelled by statement_timeout (57014) or lock_timeout (55P03): the row was busy, not wrong.
 */
const RETRYABLE_PG_PREFIXES = ['08', '53', '57P', '57014', '55P03', '40001', '40P01'];

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** A unique / primary key / check / not-null violation from either driver. */
export function isConstraintViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code.startsWith('SQLITE_CONSTRAINT') || code.startsWith('23');
}

/**
 * Turn a driver error into a RosterError. Messages name the target and the
 * operation, never the connection URL (it may hold a password).
 */
export function toTargetError(error: unknown, targetId: string, operation: string): RosterError {
  if (error instanceof RosterError) return error;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  // PostgreSQL's data exceptions (SQLSTATE class 22) end with the value refused, `…: "s3cret"`; the value
  // may be a secret attribute or personal data, and the message goes to the queue, the log and the audit.
  const detail = code.startsWith('22') ? message.replace(/: ".*"$/s, ' (value withheld)') : message;
  const where = `${operation} on ${targetId}`;
  if (RETRYABLE_SQLITE.has(code.split('_').slice(0, 2).join('_')) || NETWORK.has(code)
    || RETRYABLE_PG_PREFIXES.some((p) => code.startsWith(p)) || /Connection terminated|timeout exceeded/i.test(detail)) {
    return new RosterError('target.unavailable', `${where}: database unavailable (${code || detail})`, { retryable: true, cause: error });
  }
  if (code.startsWith('SQLITE_CONSTRAINT') || code.startsWith('23')) {
    return new RosterError('target.rejected', `${where}: the database refused the data (constraint violated: ${detail})`, { cause: error });
  }
  // A wrong password or role, or no such database: no change can be made until the connection is fixed (targetWide).
  if (code === '28P01' || code === '28000' || code === '3D000') {
    return new RosterError('target.unavailable', `${where}: cannot connect (${detail})`, { cause: error, targetWide: true });
  }
  return new RosterError('target.rejected', `${where}: ${detail}`, { cause: error });
}
