import type { LinkedAccount } from '../core/types.js';
import type { AccountStore } from '../store/types.js';

/**
 * Most identities whose links are read one by one; the links of more are
 * read all at once and kept by identity. Thousands of reads in flight at
 * once cost far more than one read of every link (which the store's read
 * cache often holds): 10,000 identities' links took 7 s read one by one,
 * against a quarter of a second for a whole plan.
 */
export const MAX_LINK_READS = 1000;

/** The links of these identities (a subset plan's, or their managers'). */
export async function linksOf(accounts: Pick<AccountStore, 'listByIdentity' | 'listAll'>, identityIds: readonly string[]): Promise<LinkedAccount[]> {
  if (identityIds.length <= MAX_LINK_READS) return (await Promise.all(identityIds.map((id) => accounts.listByIdentity(id)))).flat();
  const wanted = new Set(identityIds);
  return (await accounts.listAll()).filter((link) => wanted.has(link.identityId));
}
