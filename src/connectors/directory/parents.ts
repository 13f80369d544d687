import { RosterError } from '../../core/errors.js';
import { formatDn, parentDn, parseDn } from './dn.js';
import { resultCodeOf, ResultCode } from './errors.js';
import type { ClientPool } from './pool.js';

/**
 * Create the missing organizationalUnit entries above `dn`, top down, stopping
 * at `stopAt` (which must exist). Only ou= parents are made; anything else is
 * left for the caller's error.
 */
export async function ensureParentOUs(pool: ClientPool, dn: string, stopAt: string): Promise<void> {
  const rdns = parseDn(dn);
  const depth = parseDn(stopAt).length;
  for (let level = rdns.length - depth - 1; level >= 1; level--) {
    const parent = rdns.slice(level);
    const leaf = parent[0]?.[0];
    if (leaf === undefined || leaf.type.toLowerCase() !== 'ou') return;
    try {
      await pool.use((c) => c.add(formatDn(parent), { objectClass: ['top', 'organizationalUnit'], ou: leaf.value }));
    } catch (error) {
      if (resultCodeOf(error) === ResultCode.insufficientAccessRights) throw mayNotCreateOu(formatDn(parent), dn, error);
      if (resultCodeOf(error) !== ResultCode.entryAlreadyExists) throw error;
    }
  }
}

/** An OU the bind account may not make: the server's words (Windows AD's `00002098: SecErr: …`) name neither the OU nor the right. Not retried. */
function mayNotCreateOu(ou: string, dn: string, error: unknown): RosterError {
  const parent = parentDn(ou);
  const detail = error instanceof Error ? error.message : String(error);
  return new RosterError('target.rejected',
    `the OU ${ou} that ${dn} goes in does not exist and the bind account may not create it: delegate the right to create organizationalUnit objects on ${parent} to it ("Create Organizational Unit objects" in Active Directory), or create the OU (LDAP 50: ${detail.trim()})`,
    { cause: error, details: { resultCode: ResultCode.insufficientAccessRights, dn: parent, ou } });
}
