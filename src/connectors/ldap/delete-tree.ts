import { RosterError } from '../../core/errors.js';
import { isUnder, parseDn, sameDn } from '../directory/dn.js';
import { resultCodeOf, ResultCode } from '../directory/errors.js';
import { andFilter, equalityFilter, objectClassFilter } from '../directory/escape.js';
import { pagedSearch } from '../directory/paged-search.js';
import type { ClientPool } from '../directory/pool.js';

export interface AccountTree {
  readonly targetId: string;
  /** The account entry to delete. */
  readonly dn: string;
  readonly uuid: string;
  /** users.objectClasses: an entry below the account matching them is another account, never deleted with it. */
  readonly objectClasses: readonly string[];
  readonly pageSize: number;
}

/** Rounds of "delete what is below, then the entry" before children that keep appearing are given up on. */
const ROUNDS = 3;
/** At most this many DNs named in an error (the rest are counted). */
const NAMED = 10;

/**
 * Delete an account entry and whatever sits below it (a device, a printer,
 * an application's objects under the person). OpenLDAP has no tree delete
 * control, so a plain delete comes first (most accounts are leaves: one
 * round trip); one the server refuses as no leaf (LDAP 66) has its subtree
 * read (paged, aliases not followed), each entry below deleted deepest first,
 * then the entry itself. Nothing outside the entry's own subtree is touched:
 * every DN deleted is checked to be below it. An entry below it that is an
 * account itself (it matches users.objectClasses: someone's login, perhaps
 * another person's link) is never deleted with it: the delete is refused,
 * naming both, until an administrator moves or deletes it. Gone already (a
 * retry after a delete that went through, or one that stopped part way):
 * done, or finished.
 */
export async function deleteAccountTree(pool: ClientPool, tree: AccountTree): Promise<void> {
  if (await deleteLeaf(pool, tree.dn)) return;
  for (let round = 0; round < ROUNDS; round++) {
    await refuseAccountsBelow(pool, tree);
    const below = await entriesBelow(pool, tree);
    let leafRefused = false;
    for (const dn of below) {
      if (!(await deleteLeaf(pool, dn))) { leafRefused = true; break; }
    }
    if (!leafRefused && (await deleteLeaf(pool, tree.dn))) return;
  }
  const left = await entriesBelow(pool, tree);
  throw new RosterError('target.rejected',
    `delete on ${tree.targetId}: ${tree.dn} still has entries below it after ${ROUNDS} rounds of deleting them (something keeps adding them): ${named(left)}`,
    { details: { dn: tree.dn, children: left.slice(0, NAMED) } });
}

/** Delete one entry: true when it is gone (deleted now or before), false when it has children (LDAP 66). */
async function deleteLeaf(pool: ClientPool, dn: string): Promise<boolean> {
  try {
    await pool.use((c) => c.del(dn));
    return true;
  } catch (error) {
    const code = resultCodeOf(error);
    if (code === ResultCode.noSuchObject) return true;
    if (code === ResultCode.notAllowedOnNonLeaf) return false;
    throw error;
  }
}

/** The DNs strictly below the account, deepest first; a referral below it (a subtree on another server) is refused. */
async function entriesBelow(pool: ClientPool, tree: AccountTree): Promise<string[]> {
  const found: { dn: string; depth: number }[] = [];
  const client = await pool.lease();
  try {
    for await (const page of pagedSearch(client, tree.dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'], pageSize: tree.pageSize })) {
      if (page.searchReferences.length > 0) {
        throw new RosterError('target.rejected',
          `delete on ${tree.targetId}: part of what lies below ${tree.dn} is held by another server (${page.searchReferences.join(', ')}): ` +
          'Roster does not delete it there; delete or move it, then the account can be deleted',
          { details: { dn: tree.dn, referrals: [...page.searchReferences] } });
      }
      for (const entry of page.searchEntries) {
        // The search's own base comes back too; anything not strictly below the account is never deleted.
        if (sameDn(entry.dn, tree.dn) || !isUnder(entry.dn, tree.dn)) continue;
        found.push({ dn: entry.dn, depth: parseDn(entry.dn).length });
      }
    }
  } catch (error) {
    if (resultCodeOf(error) === ResultCode.noSuchObject) return [];
    throw error;
  }
  return found.sort((a, b) => b.depth - a.depth).map((e) => e.dn);
}

async function refuseAccountsBelow(pool: ClientPool, tree: AccountTree): Promise<void> {
  const filter = andFilter(objectClassFilter(tree.objectClasses), `(!${equalityFilter('entryUUID', tree.uuid)})`);
  const { searchEntries } = await pool.use((c) => c.search(tree.dn, { scope: 'sub', filter, attributes: ['1.1'], sizeLimit: NAMED + 1 }))
    .catch((error: unknown) => {
      // More than NAMED + 1 of them: enough to refuse; gone meanwhile: nothing below.
      const code = resultCodeOf(error);
      if (code === ResultCode.noSuchObject) return { searchEntries: [] };
      if (code === ResultCode.sizeLimitExceeded) return { searchEntries: [{ dn: `(more than ${NAMED} entries)` }] };
      throw error;
    });
  const accounts = searchEntries.map((e) => e.dn).filter((dn) => !sameDn(dn, tree.dn));
  if (accounts.length === 0) return;
  throw new RosterError('target.rejected',
    `delete on ${tree.targetId}: ${tree.dn} has account entries below it (${named(accounts)}): they are not deleted with it, ` +
    'as one may be another person\'s account; move or delete them, then the account can be deleted',
    { details: { dn: tree.dn, accounts: accounts.slice(0, NAMED) } });
}

function named(dns: readonly string[]): string {
  return dns.length <= NAMED ? dns.join('; ') : `${dns.slice(0, NAMED).join('; ')} and ${dns.length - NAMED} more`;
}
