import { formatDn, parseDn } from './dn.js';
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
      if (resultCodeOf(error) !== ResultCode.entryAlreadyExists) throw error;
    }
  }
}
