import { describe, expect, it } from 'vitest';
import { explainAdDiagnostic } from '../ad/ad-errors.js';
import { httpError } from '../scim/errors.js';
import { toTargetError } from '../sql/errors.js';
import { StartTlsRefusedError, toDirectoryError } from './errors.js';

/**
 * Review 14: the connectors' error mapping marks the errors that say the
 * target as a whole cannot be used (RosterError.targetWide), which the
 * executor answers with an immediate quarantine instead of failing change
 * after change; errors of one change, or worth waiting out, are not marked.
 */
const ldap = (code: number | string, message: string) => Object.assign(new Error(message), { code });
const dir = (error: unknown) => toDirectoryError(error, 'corp-ldap', 'create');

describe('target-wide errors (review 14)', () => {
  it.each([
    ['invalid credentials (49)', dir(ldap(49, 'Invalid Credentials'))],
    ['AD data 52e (49)', toDirectoryError(ldap(49, '80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1'), 'corp-ad', 'create', explainAdDiagnostic)],
    ['AD bind account disabled, data 533 (49)', toDirectoryError(ldap(49, '80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 533, v1db1'), 'corp-ad', 'create', explainAdDiagnostic)],
    ['stronger auth required (8, Samba over plain LDAP)', dir(ldap(8, 'BindSimple: Transport encryption required.'))],
    ['confidentiality required (13)', dir(ldap(13, 'TLS confidentiality required'))],
    ['StartTLS refused', dir(new StartTlsRefusedError(ldap(2, 'unsupported extended operation')))],
    ['certificate refused', dir(new Error('self-signed certificate in certificate chain'))],
    ['PostgreSQL password refused (28P01)', toTargetError(ldap('28P01', 'password authentication failed for user "app"'), 'app-db', 'create')],
    ['PostgreSQL database missing (3D000)', toTargetError(ldap('3D000', 'database "app" does not exist'), 'app-db', 'create')],
    ['SCIM 401', httpError('app', { method: 'POST', where: 'https://app/scim/v2/Users', status: 401, body: undefined, retryAfter: null })],
  ])('%s: target-wide, not retryable', (_name, error) => {
    expect(error.targetWide).toBe(true);
    expect(error.retryable).toBe(false);
  });

  it.each([
    ['no such object (32)', dir(ldap(32, 'No Such Object'))],
    ['insufficient access (50: maybe this entry only)', dir(ldap(50, 'Insufficient Access'))],
    ['busy (51, retried)', dir(ldap(51, 'Busy'))],
    ['connection refused (retried)', dir(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:389'), { code: 'ECONNREFUSED' }))],
    ['constraint violation (19)', dir(ldap(19, 'Constraint Violation'))],
    ['SCIM 403 (maybe this resource only)', httpError('app', { method: 'PATCH', where: 'https://app/scim/v2/Users/1', status: 403, body: undefined, retryAfter: null })],
    ['SCIM 503 (retried)', httpError('app', { method: 'POST', where: 'https://app/scim/v2/Users', status: 503, body: undefined, retryAfter: null })],
    ['PostgreSQL unique violation', toTargetError(ldap('23505', 'duplicate key'), 'app-db', 'create')],
  ])('%s: not target-wide', (_name, error) => {
    expect(error.targetWide).toBe(false);
  });
});
