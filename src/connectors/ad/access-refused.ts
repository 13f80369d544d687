import { RosterError } from '../../core/errors.js';
import { resultCodeOf, ResultCode } from '../directory/errors.js';

/** What a write needs: the object AD checks, what Roster was doing to it, and the right (as the Security tab names it). */
export interface NeededRight {
  readonly dn: string;
  /** What Roster was doing there: `write department, title`, `delete it with the objects below it`. */
  readonly action: string;
  /** The right to delegate: `"Delete subtree"`, `"Write department" (Write property)`. */
  readonly right: string;
}

/**
 * Run one write; a refusal for lack of rights (LDAP 50) names the object, what
 * was being done and the right to delegate. Windows AD's own text
 * (`00002098: SecErr: DSID-…, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0`)
 * names neither, nor does Samba's for a tree delete. Not retryable: an
 * administrator has to grant the right.
 */
export async function needing<T>(targetId: string, operation: string, needed: NeededRight, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw accessRefused(error, targetId, operation, needed);
  }
}

/** `error` as a RosterError naming `needed` when it is LDAP 50 (insufficientAccessRights); anything else as it is. */
export function accessRefused(error: unknown, targetId: string, operation: string, needed: NeededRight): unknown {
  if (resultCodeOf(error) !== ResultCode.insufficientAccessRights) return error;
  const detail = error instanceof Error ? error.message : String(error);
  // A right that says where it is needed (a move needs rights on two objects) is not "there" again.
  const where = / on /.test(needed.right) ? '' : ' there';
  return new RosterError('target.rejected',
    `${operation} on ${targetId}: the bind account may not ${needed.action} on ${needed.dn}: delegate ${needed.right}${where} to it (LDAP 50: ${detail.trim()})`,
    { cause: error, details: { resultCode: ResultCode.insufficientAccessRights, dn: needed.dn, right: needed.right } });
}
