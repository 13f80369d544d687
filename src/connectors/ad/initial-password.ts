import { Attribute, Change } from 'ldapts';
import type { ClientPool } from '../directory/pool.js';
import type { Logger } from '../types.js';
import { isPasswordRefused } from './ad-errors.js';
import { withoutSecretsInMessage } from '../../core/secrets.js';
import { initialPassword, type PasswordPolicy, unicodePwd } from './password.js';

/**
 * Enable an account that may hold no password (see uac.mayLackPassword), or
 * a rehire's (enable.ts newPasswordOnEnable), in one modify: a random initial password the user must change at next logon
 * (pwdLastSet 0), then userAccountControl without PASSWD_NOTREQD and the
 * disable bit, the other flags kept. The password is never logged; a
 * refusal by the password policy tries once more (PasswordPolicy.afterRefusal).
 */
export async function enableWithInitialPassword(input: {
  readonly pool: ClientPool;
  readonly policy: PasswordPolicy;
  readonly log: Logger;
  readonly targetId: string;
  readonly dn: string;
  /** The userAccountControl to write. */
  readonly userAccountControl: number;
  /** Names the password must not contain (sAMAccountName, display name). */
  readonly avoid: readonly string[];
  /** Why the enable sets one, for the log line. */
  readonly why?: string;
}): Promise<void> {
  let length = await input.policy.length(false);
  for (let attempt = 0; ; attempt++) {
    const password = initialPassword(length, input.avoid);
    const changes = [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdLastSet', values: ['0'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(input.userAccountControl)] }) }),
    ];
    try {
      await input.pool.use((c) => c.modify(input.dn, changes));
      input.log.info('account enabled with a new initial password (must be changed at next logon)', { target: input.targetId, dn: input.dn, ...(input.why === undefined ? {} : { why: input.why }) });
      return;
    } catch (thrown) {
      const error = withoutInitialPassword(thrown, password);
      if (attempt > 0 || !isPasswordRefused(String(error))) throw error;
      length = await input.policy.afterRefusal(length);
    }
  }
}

/**
 * What the directory threw for a write carrying an initial password, with
 * the password (as it is, or UTF-16LE in quotes as unicodePwd, in any
 * encoding scrubSecrets knows) taken out of its message: a server that
 * quotes the request in its diagnostic must not put it in an error, a log
 * line or the audit log. The same error object, so its result code stays.
 */
export function withoutInitialPassword(error: unknown, password: string): unknown {
  return withoutSecretsInMessage(error, [['initial password', password]]);
}
