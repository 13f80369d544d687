import { RosterError } from '../../core/errors.js';
import { AndFilter, Control, EqualityFilter, FilterParser, type Entry, type Filter } from 'ldapts';
import { resultCodeOf, ResultCode } from '../directory/errors.js';
import { equalityFilter, objectClassFilter } from '../directory/escape.js';
import { entryValues, type EntryValues } from '../directory/normalise.js';
import { pagedSearch } from '../directory/paged-search.js';
import type { ClientPool } from '../directory/pool.js';
import { accessRefused } from './access-refused.js';
import { entryGuid, guidToBytes, isGuid } from './guid.js';

/** A user as read from AD: DN, objectGUID (as a GUID string) and values (names lower-cased). */
export interface AdEntry {
  readonly dn: string;
  readonly guid: string;
  readonly values: EntryValues;
}

const USER_FILTER = '(&(objectCategory=person)(objectClass=user))';

/** Reads user entries below the configured base only (never from the domain root: referrals). */
export class AdEntryReader {
  readonly #pool: ClientPool;
  readonly #base: string;
  readonly #attributes: readonly string[];
  readonly #pageSize: number;

  constructor(pool: ClientPool, base: string, attributes: readonly string[], pageSize: number) {
    this.#pool = pool;
    this.#base = base;
    this.#attributes = [...new Set(['objectGUID', 'userAccountControl', 'memberOf', 'sAMAccountName', ...attributes])];
    this.#pageSize = pageSize;
  }

  /** By objectGUID, matched as the 16 raw bytes (a binary equality filter). */
  byGuid(guid: string): Promise<AdEntry | undefined> {
    if (!isGuid(guid)) return Promise.resolve(undefined);
    const filter = new AndFilter({ filters: [FilterParser.parseString(USER_FILTER), new EqualityFilter({ attribute: 'objectGUID', value: guidToBytes(guid) })] });
    return this.#first(filter, `objectGUID ${guid}`);
  }

  byAttribute(attribute: string, value: string): Promise<AdEntry | undefined> {
    return this.#first(FilterParser.parseString(`(&${USER_FILTER}${equalityFilter(attribute, value)})`), `${attribute} ${value}`);
  }

  async byDn(dn: string): Promise<AdEntry | undefined> {
    const { searchEntries } = await this.#pool.use((c) => c.search(dn, { scope: 'base', filter: objectClassFilter(['user']), ...this.#read() }));
    const entry = searchEntries[0];
    return entry === undefined ? undefined : toEntry(entry);
  }

  async *all(): AsyncIterable<AdEntry[]> {
    const client = await this.#pool.lease();
    for await (const page of pagedSearch(client, this.#base, { scope: 'sub', filter: USER_FILTER, ...this.#read(), pageSize: this.#pageSize })) {
      yield page.searchEntries.map(toEntry);
    }
  }

  /**
   * The one user matching a key. Two users holding it (an employeeID copied
   * onto a second account) make it ambiguous: picking either could hand one
   * person's account to another, so it is refused, naming both, until an
   * administrator fixes the directory.
   */
  async #first(filter: Filter, key: string): Promise<AdEntry | undefined> {
    const { searchEntries } = await this.#pool.use((c) => c.search(this.#base, { scope: 'sub', filter, sizeLimit: 2, ...this.#read() }));
    const [entry, other] = searchEntries;
    if (other !== undefined) {
      throw new RosterError('target.conflict', `${key} is held by more than one user below ${this.#base} (${entry?.dn ?? ''} and ${other.dn}): make it unique in the directory`,
        { details: { dns: searchEntries.map((e) => e.dn) } });
    }
    return entry === undefined ? undefined : toEntry(entry);
  }

  #read(): { attributes: string[]; explicitBufferAttributes: string[] } {
    return { attributes: [...this.#attributes], explicitBufferAttributes: ['objectGUID'] };
  }
}

/** A user without a readable objectGUID (an ACL) is refused: the account id is the objectGUID. */
function toEntry(entry: Entry): AdEntry {
  const values = entryValues(entry);
  values.delete('objectguid');
  const guid = entryGuid(entry.objectGUID);
  if (guid === undefined || guid === '') {
    throw new RosterError('target.rejected',
      `the directory returned ${entry.dn} without its objectGUID: the bind account may not read it (grant read access), and Roster identifies accounts by it`,
      { details: { dn: entry.dn } });
  }
  return { dn: entry.dn, guid, values };
}

/** LDAP_SERVER_TREE_DELETE_OID: delete an object with everything below it. */
const TREE_DELETE = '1.2.840.113556.1.4.805';

/**
 * Delete a user; one holding child objects (an Exchange ActiveSync device
 * container, a classStore) is deleted with them through the Tree Delete
 * control, only when a plain delete says it is no leaf (it needs the
 * "Delete subtree" right on Windows AD). Gone already: done. A refusal for
 * lack of rights names the user and the right each step needs.
 */
export async function deleteUser(pool: ClientPool, dn: string, targetId: string): Promise<void> {
  const gone = (tree: boolean) => (error: unknown) => {
    if (resultCodeOf(error) === ResultCode.noSuchObject) return;
    throw accessRefused(error, targetId, 'delete', tree
      ? { dn, action: 'delete it with the objects it holds (it is no leaf: a tree delete)', right: '"Delete subtree"' }
      : { dn, action: 'delete it', right: '"Delete" (or "Delete User objects" on its OU)' });
  };
  try {
    await pool.use((c) => c.del(dn));
  } catch (error) {
    if (resultCodeOf(error) !== ResultCode.notAllowedOnNonLeaf) return gone(false)(error);
    await pool.use((c) => c.del(dn, new Control(TREE_DELETE, { critical: true }))).catch(gone(true));
  }
}

/**
 * The objectGUID of the user the connection binds as (Connector.ownAccountId),
 * found by its bind name: a DN, a UPN (`svc-roster@example.test`) or
 * `DOMAIN\svc-roster`; undefined when it is no user under the base or cannot
 * be read (reconcile then tells it by name, reconcile/bind-account.ts).
 */
export async function ownAccount(reader: AdEntryReader, bindName: string): Promise<string | undefined> {
  const slash = bindName.indexOf('\\');
  const found = bindName.includes('=') && !bindName.includes('@') ? reader.byDn(bindName)
    : bindName.includes('@') ? reader.byAttribute('userPrincipalName', bindName)
      : slash >= 0 ? reader.byAttribute('sAMAccountName', bindName.slice(slash + 1)) : Promise.resolve(undefined);
  return (await found.catch(() => undefined))?.guid;
}
