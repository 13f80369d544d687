import { RosterError } from '../../core/errors.js';
import { isConnectionError, isRetryableResult } from '../directory/errors.js';
import type { ClientPool } from '../directory/pool.js';
import { isGuid } from './guid.js';

/**
 * Where an account Roster no longer finds below its base is now, anywhere
 * in the domain, by its objectGUID (a base read of `<GUID=…>`: no subtree
 * search from the domain root, no referrals); undefined when it is gone or
 * cannot be read. A failure of the connection or the DC is thrown.
 */
export async function dnInDomain(pool: ClientPool, guid: string): Promise<string | undefined> {
  if (!isGuid(guid)) return undefined;
  try {
    const { searchEntries } = await pool.use((c) => c.search(`<GUID=${guid}>`, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }));
    return searchEntries[0]?.dn;
  } catch (error) {
    if (isConnectionError(error) || isRetryableResult(error)) throw error;
    return undefined;
  }
}

/**
 * The refusal for an account an administrator moved out of the base: Roster
 * writes only below it, and must not report it gone (a leaver's delete
 * would then drop the link while the account lives on). Not retryable: an
 * administrator moves it back, or widens connection.base.
 */
export function movedAwayError(targetId: string, operation: string, guid: string, dn: string, base: string): RosterError {
  return new RosterError('target.conflict',
    `${operation} on ${targetId}: account ${guid} was moved to ${dn}, outside ${base} where Roster reads and writes: ` +
    `move it back below ${base} (or widen connection.base), or ${operation === 'delete' ? 'delete' : 'change'} it by hand`,
    { details: { accountId: guid, dn } });
}
