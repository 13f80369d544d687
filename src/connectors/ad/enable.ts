import { Attribute, Change } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import type { ClientPool } from '../directory/pool.js';
import type { EnableReason, EnableResult, Logger } from '../types.js';
import type { AdEntry } from './entries.js';
import { enableWithInitialPassword } from './initial-password.js';
import { enableRefused } from './enable-refused.js';
import type { PasswordPolicy } from './password.js';
import { isEnabled, mayLackPassword, PASSWD_NOTREQD, withEnabled } from './uac.js';
import { newPasswordOnEnable, type PasswordOnEnable } from '../directory/password-on-enable.js';

/**
 * The user's userAccountControl. Every AD user has one: none read means the
 * bind account may not read it (Samba answers the attribute with no values,
 * Windows AD leaves it out). Taken as 512 it made a disabled account look
 * enabled: an enable wrote nothing and was recorded as done, a disable wrote
 * 514 over the account's other flags. Refused instead, naming the right.
 */
export function userAccountControl(entry: AdEntry): number {
  const held = entry.values.get('useraccountcontrol')?.[0];
  const value = Number(held);
  if (held === undefined || held === '' || !Number.isInteger(value)) {
    throw new RosterError('target.rejected',
      `the directory returned ${entry.dn} without its userAccountControl: the bind account may not read it, and without it Roster cannot tell whether the account is enabled or which of its flags to keep: delegate "Read userAccountControl" (Read property) there to it`,
      { details: { dn: entry.dn, right: '"Read userAccountControl" (Read property)' } });
  }
  return value;
}

/**
 * Enable or disable an AD user: a read-modify-write of userAccountControl
 * where only the disable bit changes, written only when it differs (an
 * enable retried after it was applied sets no second password). An enable
 * that sets a new initial password (an account that may hold none:
 * uac.mayLackPassword; or one `newPasswordOnEnable` says so for) writes it
 * in the same modify as the enable, with "must change at next logon" and
 * without PASSWD_NOTREQD, so the account is never enabled with the password
 * it had, not even between two writes. One planned for an enabled account
 * (`renew`: a rehire read in one pass, its credentials the former
 * employment's) sets the password found enabled too; retried after it was
 * applied, it sets another one, which nobody was given yet either.
 */
export async function writeEnabled(input: {
  readonly pool: ClientPool;
  readonly policy: PasswordPolicy;
  readonly log: Logger;
  readonly targetId: string;
  readonly entry: AdEntry;
  readonly enabled: boolean;
  readonly passwordOnEnable: PasswordOnEnable;
  readonly reason?: EnableReason | undefined;
  /** Planned for an enabled account (EnableOptions.renew): a new password is set though it is found enabled. */
  readonly renew?: boolean;
}): Promise<EnableResult> {
  const { entry, enabled } = input;
  const uac = userAccountControl(entry);
  const renewing = enabled && input.renew === true && newPasswordOnEnable(input.passwordOnEnable, input.reason);
  if (isEnabled(uac) === enabled && !renewing) return {};
  const bare = enabled && mayLackPassword(uac, entry.values.get('pwdlastset')?.[0]);
  if (bare || renewing || (enabled && newPasswordOnEnable(input.passwordOnEnable, input.reason))) {
    const avoid = ['samaccountname', 'displayname', 'cn'].flatMap((name) => entry.values.get(name) ?? []);
    await enableWithInitialPassword({
      pool: input.pool, policy: input.policy, log: input.log, targetId: input.targetId, dn: entry.dn,
      userAccountControl: withEnabled(uac & ~PASSWD_NOTREQD, true), avoid,
      why: bare ? 'it had no password required and none set' : `${input.reason ?? 'enable'}: users.passwordOnEnable is ${input.passwordOnEnable}`,
    }).catch(async (error: unknown) => { throw await enableRefused(input.pool, input.targetId, entry.dn, error); });
    return { newPassword: true };
  }
  const value = String(withEnabled(uac, enabled));
  await input.pool.use((c) => c.modify(entry.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [value] }) })));
  return {};
}
