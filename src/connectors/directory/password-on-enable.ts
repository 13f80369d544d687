import type { EnableReason } from '../types.js';

/** `users.passwordOnEnable` (ad and ldap targets): which enables also set the password anew. */
export type PasswordOnEnable = 'rehire' | 'return' | 'keep';

/**
 * Whether enabling for `reason` sets the password anew: a rehire's account
 * unless `keep` (the former employment's password, possibly known to others
 * or years old, must not come back); any other account in use coming back
 * (`return`) only with `return`; a joiner's first enable never (the create
 * set its password, which the helpdesk may have handed out since). No
 * reason (a create adopting an account): no.
 */
export function newPasswordOnEnable(setting: PasswordOnEnable, reason: EnableReason | undefined): boolean {
  if (reason === 'rehire') return setting !== 'keep';
  if (reason === 'return') return setting === 'return';
  return false;
}
