import { RosterError } from '../../core/errors.js';
import { isUnder, parseDn, sameDn } from '../directory/dn.js';
import { resultCodeOf, ResultCode } from '../directory/errors.js';
import { ASSERTION_FAILED, AssertionControl } from '../directory/assertion-control.js';
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
 *
 * The DN was read a moment before: the entry itself is deleted only while it
 * still has the account's entryUUID (the Assertion control), and what lies
 * below a DN is deleted only once the subtree's search has found the account
 * at its base. Another entry moved onto the DN meanwhile (the account renamed
 * away, another person's entry moved in) is never deleted, nor what is below
 * it: the delete fails, retryable, and the retry finds the account where it
 * went.
 */
export async function deleteAccountTree(pool: ClientPool, tree: AccountTree): Promise<void> {
  if (await deleteAccount(pool, tree)) return;
  for (let round = 0; round < ROUNDS; round++) {
    const below = await entriesBelow(pool, tree);
    await refuseAccountsBelow(pool, tree);
    let leafRefused = false;
    for (const dn of below) {
      if (!(await deleteLeaf(pool, dn))) { leafRefused = true; break; }
    }
    if (!leafRefused && (await deleteAccount(pool, tree))) return;
  }
  const left = await entriesBelow(pool, tree);
  throw new RosterError('target.rejected',
    `delete on ${tree.targetId}: ${tree.dn} still has entries below it after ${ROUNDS} rounds of deleting them (something keeps adding them): ${named(left)}`,
    { details: { dn: tree.dn, children: left.slice(0, NAMED) } });
}

/** Delete one entry: true when it is gone (deleted now or before), false when it has children (LDAP 66). */
async function deleteLeaf(pool: ClientPool, dn: string, controls: AssertionControl[] = []): Promise<boolean> {
  try {
    await pool.use((c) => c.del(dn, controls));
    return true;
  } catch (error) {
    const code = resultCodeOf(error);
    if (code === ResultCode.noSuchObject) return true;
    if (code === ResultCode.notAllowedOnNonLeaf) return false;
    throw error;
  }
}

/**
 * The account entry itself, only while its DN holds the account's entryUUID (deleteLeaf's answers; another entry there:
 * moved). A server without the Assertion control (LDAP 12) has the entry read just before a plain delete instead.
 */
async function deleteAccount(pool: ClientPool, tree: AccountTree): Promise<boolean> {
  try {
    return await deleteLeaf(pool, tree.dn, [new AssertionControl(equalityFilter('entryUUID', tree.uuid))]);
  } catch (error) {
    const code = resultCodeOf(error);
    if (code === ASSERTION_FAILED) throw moved(tree, error);
    if (code !== ResultCode.unavailableCriticalExtension) throw error;
  }
  const read = pool.use((c) => c.search(tree.dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['entryUUID'] }));
  const { searchEntries: [entry] } = await read.catch((error: unknown) => (resultCodeOf(error) === ResultCode.noSuchObject ? { searchEntries: [] } : Promise.reject(error)));
  if (entry === undefined) return true;
  if (String(entry['entryUUID'] ?? '').toLowerCase() !== tree.uuid.toLowerCase()) throw moved(tree);
  return deleteLeaf(pool, tree.dn);
}

function moved(tree: AccountTree, cause?: unknown): RosterError {
  return new RosterError('target.conflict',
    `delete on ${tree.targetId}: ${tree.dn} is no longer the account's entry (entryUUID ${tree.uuid}): it was renamed or moved meanwhile, ` +
    'and another entry holds the DN; nothing was deleted there, the retry deletes the account where it is now',
    { retryable: true, cause, details: { dn: tree.dn, uuid: tree.uuid } });
}

/**
 * The DNs strictly below the account, deepest first; a referral below it (a subtree on another server) is refused,
 * and so is a base that is not the account's entry (moved).
 */
async function entriesBelow(pool: ClientPool, tree: AccountTree): Promise<string[]> {
  const found: { dn: string; depth: number }[] = [];
  let base: string | undefined;
  const client = await pool.lease();
  try {
    for await (const page of pagedSearch(client, tree.dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['entryUUID'], pageSize: tree.pageSize })) {
      if (page.searchReferences.length > 0) {
        throw new RosterError('target.rejected',
          `delete on ${tree.targetId}: part of what lies below ${tree.dn} is held by another server (${page.searchReferences.join(', ')}): ` +
          'Roster does not delete it there; delete or move it, then the account can be deleted',
          { details: { dn: tree.dn, referrals: [...page.searchReferences] } });
      }
      for (const entry of page.searchEntries) {
        // The search's own base comes back too (it must be the account); anything not strictly below it is never deleted.
        if (sameDn(entry.dn, tree.dn)) base = String(entry['entryUUID'] ?? '').toLowerCase();
        if (sameDn(entry.dn, tree.dn) || !isUnder(entry.dn, tree.dn)) continue;
        found.push({ dn: entry.dn, depth: parseDn(entry.dn).length });
      }
    }
  } catch (error) {
    if (resultCodeOf(error) === ResultCode.noSuchObject) return [];
    throw error;
  }
  if (base !== tree.uuid.toLowerCase()) throw moved(tree);
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
