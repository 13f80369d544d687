import { RosterError } from '../../core/errors.js';
import { leafValue, parentDn } from './dn.js';
import { resultCodeOf, ResultCode } from './errors.js';
import type { GroupClass } from './groups.js';
import type { ClientPool } from './pool.js';
import { adGroupAccountName } from './sam-account-name.js';

/**
 * Create a group with its first member; false when a group is there already
 * (made meanwhile). An AD group (`group`) also gets its name as
 * sAMAccountName (adGroupAccountName), the name Windows tools resolve;
 * without one AD generates `$XXXXXX-…`. When AD refuses that name (another
 * user or group holds it, or a rule this does not know) the group is created
 * without it, so AD generates one as before. A posixGroup is not made (it
 * needs a gidNumber): target.not_found, as for a group that is gone with
 * groups.create off, which an enable restoring memberships drops.
 */
export async function createGroup(pool: ClientPool, input: {
  readonly groupDn: string;
  readonly objectClass: GroupClass;
  readonly memberAttribute: string;
  readonly firstMember: string;
}): Promise<boolean> {
  const { groupDn, objectClass } = input;
  if (objectClass === 'posixGroup') throw new RosterError('target.not_found', `group ${groupDn} does not exist (posixGroup needs a gidNumber: create it first)`, { details: { group: groupDn } });
  const cn = leafValue(groupDn) ?? '';
  const entry = { objectClass: objectClass === 'group' ? ['top', 'group'] : ['top', objectClass], cn, [input.memberAttribute]: [input.firstMember] };
  const accountName = objectClass === 'group' ? adGroupAccountName(cn) : undefined;
  try {
    try {
      await pool.use((c) => c.add(groupDn, accountName === undefined ? entry : { ...entry, sAMAccountName: accountName }));
    } catch (error) {
      const code = resultCodeOf(error);
      // entryAlreadyExists is also "the sAMAccountName is taken": try once without it (a group made meanwhile fails again, below).
      if (accountName === undefined || (code !== ResultCode.entryAlreadyExists && code !== ResultCode.constraintViolation)) throw error;
      await pool.use((c) => c.add(groupDn, entry));
    }
  } catch (error) {
    if (resultCodeOf(error) === ResultCode.insufficientAccessRights) throw mayNotCreate(groupDn, objectClass, error);
    if (resultCodeOf(error) !== ResultCode.entryAlreadyExists) throw error;
    return false;
  }
  return true;
}

/**
 * The group is missing and the bind account may not make it: the right to
 * ask for is on the groups' OU, not "Write Members" on a group that is not
 * there (what a grant's refusal would otherwise name). Not retried.
 */
function mayNotCreate(groupDn: string, objectClass: GroupClass, error: unknown): RosterError {
  const parent = parentDn(groupDn);
  const right = objectClass === 'group' ? '"Create Group objects"' : `the right to add ${objectClass} entries`;
  const detail = error instanceof Error ? error.message : String(error);
  return new RosterError('target.rejected',
    `group ${groupDn} does not exist and the bind account may not create it: delegate ${right} on ${parent} to it, or create the group (LDAP 50: ${detail.trim()})`,
    { cause: error, details: { resultCode: ResultCode.insufficientAccessRights, dn: parent, group: groupDn, right } });
}
