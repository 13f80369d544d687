import { RosterError } from '../../core/errors.js';
import { parentDn } from '../directory/dn.js';
import { ResultCode } from '../directory/errors.js';

const DATA_CODES: Readonly<Record<string, string>> = {
  '525': 'the bind user does not exist',
  '52e': 'invalid credentials: the bind DN or password is wrong',
  '530': 'the bind user may not log on at this time',
  '531': 'the bind user may not log on from this workstation',
  '532': 'the bind user\'s password has expired',
  '533': 'the bind user is disabled',
  '701': 'the bind user\'s account has expired',
  '773': 'the bind user must reset its password',
  '775': 'the bind user is locked out',
};

/** Bind refusals that end by themselves: the logon hours come round, the lockout duration runs out. */
const TRANSIENT_DATA_CODES = new Set(['530', '775']);

function dataCode(message: string): string | undefined {
  return /\bdata ([0-9a-f]{3,4})\b/i.exec(message)?.[1]?.toLowerCase();
}

/**
 * A bind the DC refused for a while, not for good (530 outside the logon
 * hours, 775 locked out): worth retrying with backoff. A wrong password,
 * a disabled or expired account, or one that must change its password is
 * not: an administrator has to act.
 */
export function isTransientBindRefusal(message: string): boolean {
  const data = dataCode(message);
  return data !== undefined && TRANSIENT_DATA_CODES.has(data);
}

/**
 * Active Directory packs the real reason into the diagnostic text
 * ("80090308: LdapErr: ..., data 52e, v4563", "0000052D: Constraint violation ...").
 * This turns the known ones into plain words.
 */
export function explainAdDiagnostic(message: string, resultCode: number): string | undefined {
  const data = dataCode(message);
  if (data !== undefined && DATA_CODES[data] !== undefined) return DATA_CODES[data];
  const upper = message.toUpperCase();
  // Samba makes the Kerberos keys from the sAMAccountName inside the add: an @ (or another character a principal
  // cannot hold) fails there, with nothing in the text naming the sAMAccountName.
  if (/setup_kerberos_keys|salting principal|malformed representation of principal/i.test(message)) {
    return 'the sAMAccountName cannot be made into a Kerberos principal (no @, none of " / \\ [ ] : ; | = , + * ? < >, no leading or trailing space, no trailing dot)';
  }
  if (isPasswordRefused(message)) {
    return 'the password does not meet the domain\'s password policy, or a fine-grained one (PSO) that applies to the account (length, complexity or history)';
  }
  if (isNameTaken(message)) {
    return 'the sAMAccountName or userPrincipalName is already taken by another account';
  }
  if (isReferenceNotFound(message)) return 'a DN-valued attribute (such as manager) names an object that does not exist (yet)';
  if (upper.includes('00002071') || resultCode === ResultCode.entryAlreadyExists) return 'an object with this name (CN) already exists in that OU';
  if (upper.includes('0000202B') || resultCode === ResultCode.referral) {
    return 'AD answered with a referral: the DN is outside what this domain controller holds (search and write under the configured base OU)';
  }
  // 0000200D with Samba's "SINGLE-VALUE attribute X ... specified more than once" (the plain text of 20 says the value is already there).
  const single = /SINGLE-VALUE attribute (\S+)/i.exec(message)?.[1];
  if (single !== undefined) return `${single} holds one value in AD, and several were given`;
  if (upper.includes('00002077')) {
    return 'AD does not allow this modification (00002077, illegal modify operation: several values for a single-valued attribute, or a change AD only takes as an add or a delete)';
  }
  if (upper.includes('000020EF')) {
    return 'AD failed the request with an unspecified error (000020EF): usually a value AD cannot store there (a member or reference of the wrong object type, a system-only attribute)';
  }
  if (resultCode === ResultCode.constraintViolation && /samaccountname/i.test(message)) {
    return 'the sAMAccountName breaks AD\'s rules (at most 20 characters, none of " / \\ [ ] : ; | = , + * ? < >)';
  }
  if (resultCode === ResultCode.unwillingToPerform && /unicodePwd|password/i.test(message)) {
    return 'AD refused the password change (it needs LDAPS or StartTLS, and a password that meets the policy)';
  }
  return undefined;
}

/** 0000052D (constraint violation on the password): too short, too simple or in the history for the domain's policy. */
export function isPasswordRefused(message: string): boolean {
  return message.toUpperCase().includes('0000052D') || /password.*(complexity|policy|history|too short)|check_password_restrictions/i.test(message);
}

/** 000020B5 "Referenced object not found": a DN value (manager, ...) names no object. */
export function isReferenceNotFound(message: string): boolean {
  return message.toUpperCase().includes('000020B5');
}

/** 00000524 (ENTRY_EXISTS on a unique attribute), or Samba's "already in use": the sAMAccountName or UPN is another account's. */
export function isNameTaken(message: string): boolean {
  return message.toUpperCase().includes('00000524') || /already in use|not unique|uniqueness/i.test(message);
}

/** The refusal for a missing OU when Roster may not make it (users.createOUs), naming it. */
export function missingParentError(targetId: string, operation: string, dn: string, error: unknown): RosterError {
  return new RosterError('target.rejected',
    `${operation} on ${targetId}: the OU ${parentDn(dn)} that ${dn} goes in does not exist: create it, or set connection.users.createOUs: true`,
    { cause: error, details: { dn, parent: parentDn(dn) } });
}
