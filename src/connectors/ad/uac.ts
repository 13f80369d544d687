/** userAccountControl flags Roster touches (MS-ADTS 2.2.16). */
export const ACCOUNTDISABLE = 0x2;
export const NORMAL_ACCOUNT = 0x200;

export function isEnabled(userAccountControl: number): boolean {
  return (userAccountControl & ACCOUNTDISABLE) === 0;
}

/** The same flags with only the disable bit changed. */
export function withEnabled(userAccountControl: number, enabled: boolean): number {
  return enabled ? userAccountControl & ~ACCOUNTDISABLE : userAccountControl | ACCOUNTDISABLE;
}

/** No password required: an account created without one carries it (ADUC, a bare LDAP add). */
export const PASSWD_NOTREQD = 0x20;

/**
 * An account that must not be enabled as it is: it may hold no password
 * (PASSWD_NOTREQD, and pwdLastSet 0 or absent: no password was ever set, or
 * one that must be changed before use). Enabled as is, it might take an
 * empty password.
 */
export function mayLackPassword(userAccountControl: number, pwdLastSet: string | undefined): boolean {
  return (userAccountControl & PASSWD_NOTREQD) !== 0 && (pwdLastSet === undefined || pwdLastSet === '0');
}
