import { RosterError } from '../../core/errors.js';
import { certificateHint } from './certificate-errors.js';

/** LDAP result codes (RFC 4511 appendix A) the connectors treat specially. */
export const ResultCode = {
  timeLimitExceeded: 3,
  sizeLimitExceeded: 4,
  strongerAuthRequired: 8,
  referral: 10,
  adminLimitExceeded: 11,
  unavailableCriticalExtension: 12,
  confidentialityRequired: 13,
  noSuchAttribute: 16,
  undefinedAttributeType: 17,
  constraintViolation: 19,
  attributeOrValueExists: 20,
  invalidAttributeSyntax: 21,
  noSuchObject: 32,
  invalidDNSyntax: 34,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
  namingViolation: 64,
  objectClassViolation: 65,
  notAllowedOnNonLeaf: 66,
  notAllowedOnRDN: 67,
  entryAlreadyExists: 68,
  objectClassModsProhibited: 69,
  other: 80,
} as const;

const RETRYABLE = new Set<number>([ResultCode.timeLimitExceeded, ResultCode.adminLimitExceeded, ResultCode.busy, ResultCode.unavailable]);

/**
 * Results that say the connection's setup is wrong, so no change can be made
 * until an operator fixes it (RosterError.targetWide): the bind DN or password
 * (49; Active Directory's `data 52e`, a disabled or expired bind account), a
 * server that wants an encrypted or stronger bind (8, 13).
 */
const TARGET_WIDE = new Set<number>([ResultCode.invalidCredentials, ResultCode.strongerAuthRequired, ResultCode.confidentialityRequired]);

const PLAIN: Readonly<Record<number, string>> = {
  [ResultCode.timeLimitExceeded]: 'the directory ran out of time',
  [ResultCode.adminLimitExceeded]: 'the directory hit an administrative limit',
  [ResultCode.busy]: 'the directory is busy',
  [ResultCode.unavailable]: 'the directory is unavailable',
  [ResultCode.sizeLimitExceeded]: 'the search hit the directory\'s size limit for the bind DN (raise it, e.g. OpenLDAP olcLimits size.prtotal=unlimited for paged searches); nothing was read as complete',
  [ResultCode.strongerAuthRequired]: 'the directory requires a stronger bind (an encrypted connection: use ldaps:// or startTLS)',
  [ResultCode.referral]: 'the directory referred the request elsewhere (search or write under the configured base)',
  [ResultCode.confidentialityRequired]: 'the directory requires an encrypted connection (use ldaps:// or startTLS)',
  [ResultCode.noSuchAttribute]: 'the entry has no such attribute or value',
  [ResultCode.undefinedAttributeType]: 'the schema has no such attribute (check the attribute mapping)',
  [ResultCode.constraintViolation]: 'a value breaks a constraint of the directory (length, uniqueness or policy)',
  [ResultCode.attributeOrValueExists]: 'the value is already there',
  [ResultCode.invalidAttributeSyntax]: 'a value has the wrong syntax for its attribute',
  [ResultCode.noSuchObject]: 'no such entry',
  [ResultCode.invalidDNSyntax]: 'the DN is not valid',
  [ResultCode.invalidCredentials]: 'the bind DN or password is wrong',
  [ResultCode.insufficientAccessRights]: 'the bind account may not do this',
  [ResultCode.unwillingToPerform]: 'the directory is unwilling to do this',
  [ResultCode.namingViolation]: 'the DN breaks the naming rules (wrong parent or RDN attribute)',
  [ResultCode.objectClassViolation]: 'the entry breaks its object classes (a required attribute is missing or one is not allowed)',
  [ResultCode.notAllowedOnNonLeaf]: 'the entry has children',
  [ResultCode.notAllowedOnRDN]: 'the attribute is part of the DN and cannot be changed by a modify',
  [ResultCode.entryAlreadyExists]: 'an entry with this DN already exists',
  [ResultCode.objectClassModsProhibited]: 'the object classes of an entry cannot be changed like this',
};

const NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket|connection|timeout|timed out|closed/i;

/** The numeric LDAP result code of an ldapts error, if it has one. */
export function resultCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The entry (or, for an add or a move, its new parent) does not exist. Samba says "parent does not exist" with result 80. */
export function isNoSuchObject(error: unknown): boolean {
  const code = resultCodeOf(error);
  return code === ResultCode.noSuchObject || (code === ResultCode.other && /parent does not exist/i.test(String(error)));
}

/**
 * A modify adding a member value the group already holds: OpenLDAP says
 * attributeOrValueExists (20), Samba and Windows AD entryAlreadyExists (68),
 * Windows also unwillingToPerform with `00000562` (ERROR_MEMBER_IN_GROUP).
 */
export function isAlreadyMember(error: unknown): boolean {
  const code = resultCodeOf(error);
  return code === ResultCode.attributeOrValueExists || code === ResultCode.entryAlreadyExists
    || (code === ResultCode.unwillingToPerform && /\b00000562\b/.test(String(error)));
}

/**
 * A modify deleting a member value the group does not hold: OpenLDAP says
 * noSuchAttribute, Samba unwillingToPerform "Attribute member already
 * deleted", Windows AD unwillingToPerform `00000561` (ERROR_MEMBER_NOT_IN_GROUP).
 */
export function isNotMember(error: unknown): boolean {
  const code = resultCodeOf(error);
  return code === ResultCode.noSuchAttribute
    || (code === ResultCode.unwillingToPerform && (/already deleted/i.test(String(error)) || /\b00000561\b/.test(String(error))));
}

/** A result the server may not give next time (busy, unavailable, a time or admin limit). */
export function isRetryableResult(error: unknown): boolean {
  const code = resultCodeOf(error);
  return code !== undefined && RETRYABLE.has(code);
}

/** A transport failure (no LDAP result): worth reconnecting and trying again. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof RosterError || error instanceof StartTlsRefusedError || resultCodeOf(error) !== undefined) return false;
  const code = (error as { code?: unknown } | null)?.code;
  const text = `${typeof code === 'string' ? code : ''} ${error instanceof Error ? error.message : String(error)}`;
  return NETWORK.test(text);
}

/**
 * The server answered StartTLS with an LDAP error (OpenLDAP without TLS says
 * protocolError "unsupported extended operation", others unavailable): a
 * setting to fix, not a moment to wait out, and nothing is sent unencrypted.
 */
export class StartTlsRefusedError extends Error {
  readonly resultCode: number | undefined;

  constructor(cause: unknown) {
    const code = resultCodeOf(cause);
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`the directory refused StartTLS (LDAP ${code ?? '?'}: ${detail})`, { cause });
    this.name = 'StartTlsRefusedError';
    this.resultCode = code;
  }
}

/**
 * StartTLS that ended without an LDAP answer: the connection closed, or the
 * TLS handshake after it failed (a certificate refused, no TLS spoken) or
 * timed out. The bind was not sent. Its `code` is the cause's (a
 * certificate error's), so the message can say which setting fixes it.
 */
export class StartTlsFailedError extends Error {
  readonly code: string | undefined;

  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`StartTLS did not complete (${detail}); the bind was not sent`, { cause });
    this.name = 'StartTlsFailedError';
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/**
 * The server refused a Content Synchronization search (RFC 4533) with
 * unavailableCriticalExtension: the sync request control is critical, and
 * the database has no syncprov overlay (or the server has no RFC 4533 at all).
 */
export class SyncUnsupportedError extends Error {
  readonly code = ResultCode.unavailableCriticalExtension;

  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('the server does not support Content Synchronization (RFC 4533): load the syncprov overlay on this database, '
      + `or use \`changes: timestamp\` (LDAP 12: ${detail})`, { cause });
    this.name = 'SyncUnsupportedError';
  }
}

/** A TLS handshake the server broke off or answered in plain text: most often ldaps:// to a plain LDAP port. */
const TLS_TO_PLAIN = /before secure TLS connection was established|wrong version number|packet length too long|unknown protocol/i;
const TLS_TO_PLAIN_HINT = 'the server did not complete a TLS handshake: if this port speaks plain LDAP (389), use ldap:// (with startTLS: true) or the directory\'s LDAPS port (636)';
/** The same after StartTLS: the port is right, so the server (or something on the path) answered StartTLS and then spoke no TLS. */
const STARTTLS_NO_TLS_HINT = 'the server answered StartTLS but did not complete a TLS handshake: check the directory\'s TLS setup, '
  + 'and that nothing on the network path (a proxy or a load balancer) answers for it';

/** Extra plain words for a server's diagnostic message (Active Directory's `data 52e`, ...). */
export type DiagnosticExplainer = (message: string, resultCode: number) => string | undefined;

/**
 * An ldapts / socket error -> RosterError naming the operation and target.
 * Messages carry the server's diagnostic text, never credentials.
 */
export function toDirectoryError(error: unknown, targetId: string, operation: string, explain?: DiagnosticExplainer): RosterError {
  if (error instanceof RosterError) return error;
  const where = `${operation} on ${targetId}`;
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof StartTlsRefusedError) {
    return new RosterError('target.unavailable',
      `${where}: ${detail}: the server has no TLS set up on this port; configure TLS on the directory, or use ldaps:// to its TLS port (nothing was sent unencrypted)`,
      { cause: error, details: { resultCode: error.resultCode }, targetWide: true });
  }
  if (error instanceof SyncUnsupportedError) return new RosterError('target.rejected', `${where}: ${detail}`, { cause: error, details: { resultCode: error.code } });
  const code = resultCodeOf(error);
  if (code === undefined) {
    // ldapts's own timeouts: the server took the connection (or the request) and did not answer.
    if (/Operation timed out|Connection timeout/i.test(detail)) {
      return new RosterError('target.unavailable', `${where}: the directory did not answer in time (connection.timeoutMs, connectTimeoutMs) (${detail})`, { retryable: true, cause: error });
    }
    if (isConnectionError(error) || /certificate|self.signed|TLS|SSL/i.test(detail)) {
      // A certificate refused is a setting to fix for every change, not a moment to wait out.
      const refused = /certificate|self.signed/i.test(detail);
      const plainHint = error instanceof StartTlsFailedError ? STARTTLS_NO_TLS_HINT : TLS_TO_PLAIN_HINT;
      const why = certificateHint(error) ?? (TLS_TO_PLAIN.test(detail) ? plainHint : undefined);
      const hint = why === undefined ? '' : `; ${why}`;
      return new RosterError('target.unavailable', `${where}: cannot reach the directory (${detail})${hint}`, { retryable: !refused, cause: error, targetWide: refused });
    }
    return new RosterError('target.rejected', `${where}: ${detail}`, { cause: error });
  }
  const plain = explain?.(detail, code) ?? PLAIN[code] ?? 'the directory refused the request';
  const message = `${where}: ${plain} (LDAP ${code}: ${detail})`;
  const details = { resultCode: code };
  if (RETRYABLE.has(code)) return new RosterError('target.unavailable', message, { retryable: true, cause: error, details });
  if (code === ResultCode.noSuchObject) return new RosterError('target.not_found', message, { cause: error, details });
  if (code === ResultCode.entryAlreadyExists) return new RosterError('target.conflict', message, { cause: error, details });
  if (code === ResultCode.invalidCredentials) return new RosterError('target.unavailable', message, { cause: error, details, targetWide: true });
  return new RosterError('target.rejected', message, { cause: error, details, targetWide: TARGET_WIDE.has(code) });
}
