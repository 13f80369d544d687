import { Attribute, Change } from 'ldapts';
import type { ClientPool } from '../directory/pool.js';
import type { EnableReason, EnableResult, Logger } from '../types.js';
import type { AdEntry } from './entries.js';
import { enableWithInitialPassword } from './initial-password.js';
import type { PasswordPolicy } from './password.js';
import { isEnabled, mayLackPassword, NORMAL_ACCOUNT, PASSWD_NOTREQD, withEnabled } from './uac.js';
import { newPasswordOnEnable, type PasswordOnEnable } from '../directory/password-on-enable.js';

export function userAccountControl(entry: AdEntry): number {
  const value = Number(entry.values.get('useraccountcontrol')?.[0] ?? NORMAL_ACCOUNT);
  return Number.isInteger(value) ? value : NORMAL_ACCOUNT;
}

/**
 * Enable or disable an AD user: a read-modify-write of userAccountControl
 * where only the disable bit changes, written only when it differs (an
 * enable retried after it was applied sets no second password). An enable
 * that sets a new initial password (an account that may hold none:
 * uac.mayLackPassword; or one `newPasswordOnEnable` says so for) writes it
 * in the same modify as the enable, with "must change at next logon" and
 * without PASSWD_NOTREQD, so the account is never enabled with the password
 * it had, not even between two writes.
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
}): Promise<EnableResult> {
  const { entry, enabled } = input;
  const uac = userAccountControl(entry);
  if (isEnabled(uac) === enabled) return {};
  const bare = enabled && mayLackPassword(uac, entry.values.get('pwdlastset')?.[0]);
  if (bare || (enabled && newPasswordOnEnable(input.passwordOnEnable, input.reason))) {
    const avoid = ['samaccountname', 'displayname', 'cn'].flatMap((name) => entry.values.get(name) ?? []);
    await enableWithInitialPassword({
      pool: input.pool, policy: input.policy, log: input.log, targetId: input.targetId, dn: entry.dn,
      userAccountControl: withEnabled(uac & ~PASSWD_NOTREQD, true), avoid,
      why: bare ? 'it had no password required and none set' : `${input.reason ?? 'enable'}: users.passwordOnEnable is ${input.passwordOnEnable}`,
    });
    return { newPassword: true };
  }
  const value = String(withEnabled(uac, enabled));
  await input.pool.use((c) => c.modify(entry.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [value] }) })));
  return {};
}
