import { RosterError } from '../../core/errors.js';
import { parentDn, sameDn } from '../directory/dn.js';
import { isNoSuchObject, resultCodeOf, ResultCode } from '../directory/errors.js';
import { ensureParentOUs } from '../directory/parents.js';
import type { ClientPool } from '../directory/pool.js';
import { accessRefused, needing } from './access-refused.js';
import { missingParentError } from './ad-errors.js';
import type { AdEntryReader } from './entries.js';

export interface MoveUserOptions {
  readonly pool: ClientPool;
  readonly targetId: string;
  /** connection.base: missing OUs are made below it only. */
  readonly base: string;
  readonly createOUs: boolean;
  /** Finds the user by objectGUID after a noSuchObject: a move already applied is done. */
  readonly reader: Pick<AdEntryReader, 'byGuid'>;
}

/**
 * Move (and rename) a user to `newDn` with one modify DN: AD keeps `member`
 * of every group (a linked attribute) and the objectGUID as they are.
 * A refusal for lack of rights names both rights a move needs; a missing
 * parent OU is made when `createOUs` allows; another object holding
 * `newDn` is a conflict naming both DNs (see dnTakenError), `hint` added.
 * noSuchObject is a missing parent OU or the user no longer at `dn`: the
 * pool sends a modify DN again when the connection dropped before the
 * reply, and the first may have been applied. The user (by objectGUID)
 * found at `newDn` is a move done, not a missing OU.
 */
export async function moveUser(o: MoveUserOptions, user: { readonly dn: string; readonly guid: string }, newDn: string, hint?: string): Promise<void> {
  const { dn } = user;
  const done = async () => sameDn((await o.reader.byGuid(user.guid))?.dn ?? '', newDn);
  const needed = { dn, action: `move it to ${newDn}`, right: `"Delete" on ${dn} (or "Delete User objects" on its OU) and "Create User objects" on ${parentDn(newDn)}` };
  const modifyDn = () => o.pool.use((c) => c.modifyDN(dn, newDn));
  try {
    await modifyDn();
  } catch (error) {
    if (resultCodeOf(error) === ResultCode.entryAlreadyExists) throw dnTakenError(o.targetId, dn, newDn, error, hint);
    if (!isNoSuchObject(error)) throw accessRefused(error, o.targetId, 'update', needed);
    if (await done()) return;
    if (!o.createOUs) throw missingParentError(o.targetId, 'update', newDn, error);
    await ensureParentOUs(o.pool, newDn, o.base);
    try {
      await needing(o.targetId, 'update', needed, modifyDn);
    } catch (again) {
      if (isNoSuchObject(again) && await done()) return;
      throw resultCodeOf(again) === ResultCode.entryAlreadyExists ? dnTakenError(o.targetId, dn, newDn, again, hint) : again;
    }
  }
}

/**
 * AD names an object by its RDN within its OU: another object (a namesake's
 * user, a contact, a group) already at the DN a move goes to. Not retryable:
 * nothing changes until someone renames one of them. The server's own text
 * names neither DN.
 */
export function dnTakenError(targetId: string, dn: string, newDn: string, cause: unknown, hint?: string): RosterError {
  const detail = (cause instanceof Error ? cause.message : String(cause)).trim();
  return new RosterError('target.conflict',
    `update on ${targetId}: cannot move ${dn} to ${newDn}: another object with that DN already exists (AD names an object by its CN within its OU): ` +
    `rename or move that object, or change users.dn so the two names differ${hint === undefined ? '' : `; ${hint}`} (LDAP 68: ${detail})`,
    { cause, details: { dn, newDn, resultCode: ResultCode.entryAlreadyExists } });
}

/** A move refused because another object holds the new DN: a raw LDAP 68 or dnTakenError's. */
export function isDnTaken(error: unknown): boolean {
  if (error instanceof RosterError) return error.details?.resultCode === ResultCode.entryAlreadyExists;
  return resultCodeOf(error) === ResultCode.entryAlreadyExists;
}
