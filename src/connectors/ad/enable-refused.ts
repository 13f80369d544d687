import type { ClientPool } from '../directory/pool.js';
import { resultCodeOf, ResultCode } from '../directory/errors.js';
import { accessRefused } from './access-refused.js';

/** What an enable that sets a new initial password writes, and the right each write needs (as the Security tab names it). */
const WRITES: readonly { readonly attribute: string; readonly right: string }[] = [
  { attribute: 'userAccountControl', right: '"Write userAccountControl" (Write property)' },
  { attribute: 'pwdLastSet', right: '"Write pwdLastSet" (Write property, in "Write Account Restrictions")' },
];
const RESET_PASSWORD = '"Reset Password"';

/**
 * A rehire's enable (new password, pwdLastSet 0, userAccountControl in one
 * modify) refused for lack of rights (LDAP 50): the modify is one write, so
 * nothing of it was applied (never enabled without the new password), but
 * the server's text does not say which of the rights is missing. The user's
 * allowedAttributesEffective (the attributes this bind account may write on
 * it, a read) tells a missing "Write userAccountControl" or "Write
 * pwdLastSet"; with both writable, what is left is "Reset Password", a
 * control access right no attribute list shows. When that read fails, all
 * three are named. Anything but LDAP 50 is returned as it is.
 */
export async function enableRefused(pool: ClientPool, targetId: string, dn: string, error: unknown): Promise<unknown> {
  if (resultCodeOf(error) !== ResultCode.insufficientAccessRights) return error;
  const writable = await allowedAttributesEffective(pool, dn);
  const missing = writable === undefined ? undefined : WRITES.filter((write) => !writable.has(write.attribute.toLowerCase())).map((write) => write.right);
  const right = missing === undefined ? `${RESET_PASSWORD}, ${WRITES.map((write) => write.right).join(' and ')}`
    : missing.length === 0 ? RESET_PASSWORD : missing.join(' and ');
  return accessRefused(error, targetId, 'setEnabled', {
    dn, right,
    action: `enable it with a new initial password (unicodePwd, pwdLastSet and userAccountControl in one modify: nothing was written, the account stays disabled)${missing === undefined ? ': which right is missing could not be read' : ''}`,
  });
}

/** Lower-cased names of the attributes the bind account may write on `dn`; undefined when that cannot be read. */
async function allowedAttributesEffective(pool: ClientPool, dn: string): Promise<Set<string> | undefined> {
  try {
    const { searchEntries: [entry] } = await pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['allowedAttributesEffective'] }));
    const raw = entry?.allowedAttributesEffective;
    if (raw === undefined) return undefined;
    return new Set((Array.isArray(raw) ? raw : [raw]).map((name) => String(name).toLowerCase()));
  } catch {
    return undefined;
  }
}
