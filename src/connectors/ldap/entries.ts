import type { Entry } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import { andFilter, equalityFilter, objectClassFilter } from '../directory/escape.js';
import { isUnder, sameDn } from '../directory/dn.js';
import { isNoSuchObject } from '../directory/errors.js';
import { entryValues, type EntryValues } from '../directory/normalise.js';
import { pagedSearch } from '../directory/paged-search.js';
import type { ClientPool } from '../directory/pool.js';
import { PostReadControl } from '../directory/post-read.js';

/** An account entry as read: its DN, its entryUUID and its values (names lower-cased). */
export interface LdapEntry {
  readonly dn: string;
  readonly uuid: string;
  readonly values: EntryValues;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Reads account entries below a few search bases (the users base and, if elsewhere, the disabled OU). */
export class EntryReader {
  readonly #pool: ClientPool;
  readonly #bases: readonly string[];
  readonly #objectClasses: readonly string[];
  readonly #attributes: readonly string[];
  readonly #pageSize: number;
  /** Entries below the bases that are never accounts, whatever their classes (notAnAccount). */
  #notAccounts: readonly string[] = [];

  constructor(pool: ClientPool, bases: readonly string[], objectClasses: readonly string[], attributes: readonly string[], pageSize: number) {
    this.#pool = pool;
    // A base below another base would return its entries twice.
    this.#bases = bases.filter((base, i) => !bases.some((other, j) => j !== i && isUnder(base, other) && (!sameDn(base, other) || j < i)));
    this.#objectClasses = objectClasses;
    this.#attributes = [...new Set(['entryUUID', ...attributes])];
    this.#pageSize = pageSize;
  }

  /** The bases searched, none below another (it would be read twice). */
  get bases(): readonly string[] {
    return this.#bases;
  }

  /**
   * `dn` is never read as an account, whatever its object classes: the
   * uidNumber counter (users.posix.counter) may sit below users.base and be
   * an inetOrgPerson. Read as one it would be an orphan (nobody in HR holds
   * it), which reconcile may disable or delete, and the uidNumbers with it.
   * Only a DN below a base can be read, so only such a DN is kept.
   */
  notAnAccount(dn: string): void {
    if (this.#bases.some((base) => isUnder(dn, base))) this.#notAccounts = [...this.#notAccounts, dn];
  }

  /** By entryUUID, which the server keeps unique: the first base holding it answers (with `extra` attributes read too). */
  async byUuid(uuid: string, extra: readonly string[] = []): Promise<LdapEntry | undefined> {
    if (!isUuid(uuid)) return undefined;
    const test = equalityFilter('entryUUID', uuid);
    const attributes = extra.length === 0 ? this.#attributes : [...new Set([...this.#attributes, ...extra])];
    for (const base of this.#bases) {
      const [entry] = await this.#matching(base, test, attributes);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  /**
   * The entries holding a value (the account key), at most two per base and
   * every base searched: one is the answer, two say the value is not unique
   * (the caller refuses to pick one).
   */
  async withValue(attribute: string, value: string): Promise<LdapEntry[]> {
    const test = equalityFilter(attribute, value);
    const found: LdapEntry[] = [];
    for (const base of this.#bases) found.push(...await this.#matching(base, test));
    return found;
  }

  /**
   * The one account holding the key. Two entries holding it (a copy under
   * another OU, a leaver in the disabled OU) make it ambiguous: acting on
   * either could hand one person's account to another, so it is refused,
   * naming both, until an administrator makes the key unique.
   */
  async byKey(attribute: string, key: string, operation: string, targetId: string): Promise<LdapEntry | undefined> {
    const found = await this.withValue(attribute, key);
    const [entry, other] = found;
    if (other === undefined) return entry;
    throw new RosterError('target.conflict',
      `${operation} on ${targetId}: ${attribute} ${key} is held by more than one entry (${entry?.dn ?? ''} and ${other.dn}); ` +
      'an account key must name one entry: make it unique in the directory',
      { details: { dns: found.map((e) => e.dn), attribute } });
  }

  async byDn(dn: string): Promise<LdapEntry | undefined> {
    const { searchEntries } = await this.#pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [...this.#attributes] }))
      .catch((error: unknown) => {
        if ((error as { code?: unknown }).code === 32) return { searchEntries: [] as Entry[] };
        throw error;
      });
    const entry = searchEntries[0];
    return entry === undefined || !this.#isAccount(entry.dn) ? undefined : toEntry(entry);
  }

  /**
   * A Post-Read control (RFC 4527) for an add, asking for the entryUUID only:
   * the rest of a new entry is exactly what the add sent, so reading it back
   * would only cost the server an encode and us a decode. One per request.
   */
  postReadUuid(): PostReadControl {
    return new PostReadControl(['entryUUID']);
  }

  /** The entry an add stored: its DN, the values sent, the entryUUID the Post-Read control returned (undefined without one). */
  added(control: PostReadControl, dn: string, body: Readonly<Record<string, readonly string[]>>): LdapEntry | undefined {
    const uuid = control.entry?.entryUUID;
    if (typeof uuid !== 'string' || uuid === '') return undefined;
    const values = new Map<string, readonly string[]>();
    for (const name of Object.keys(body)) values.set(name.toLowerCase(), body[name] ?? []);
    values.set('entryuuid', [uuid]);
    return { dn, uuid, values };
  }

  /**
   * Every account, page by page. A referral below a base (a subtree held by
   * another server) fails the read: its accounts cannot be read here, and a
   * list without them would look as if they had vanished.
   */
  async *all(): AsyncIterable<LdapEntry[]> {
    const filter = objectClassFilter(this.#objectClasses);
    // Left out by entryUUID, read again for every list: comparing each entry's DN would cost more than the list (≈ 6 µs a DN).
    const left = await this.#notAccountUuids();
    for (const base of this.#bases) {
      // One pooled connection carries the whole paged search (the paging cookie belongs to it).
      const client = await this.#pool.lease();
      for await (const page of pagedSearch(client, base, { scope: 'sub', filter, attributes: this.#attributes, pageSize: this.#pageSize })) {
        if (page.searchReferences.length > 0) {
          throw new RosterError('target.rejected',
            `the directory refers part of ${base} to another server (${page.searchReferences.join(', ')}): Roster does not follow referrals, ` +
            'and the accounts there cannot be listed; set users.base (and the disabled OU) to a subtree this server holds',
            { details: { base, referrals: [...page.searchReferences] } });
        }
        const entries = page.searchEntries.map(toEntry);
        yield left.size === 0 ? entries : entries.filter((entry) => !left.has(entry.uuid.toLowerCase()));
      }
    }
  }

  /** Up to two account entries below `base` passing `test`: one is the answer, two say it is not unique. */
  async #matching(base: string, test: string, attributes: readonly string[] = this.#attributes): Promise<LdapEntry[]> {
    const filter = andFilter(objectClassFilter(this.#objectClasses), test);
    const { searchEntries } = await this.#pool.use((c) => c.search(base, { scope: 'sub', filter, attributes: [...attributes], sizeLimit: 2 }));
    return searchEntries.filter((entry) => this.#isAccount(entry.dn)).map(toEntry);
  }

  #isAccount(dn: string): boolean {
    return !this.#notAccounts.some((other) => sameDn(dn, other));
  }

  /** The entryUUIDs (lower-cased) of the entries notAnAccount names that are there. */
  async #notAccountUuids(): Promise<ReadonlySet<string>> {
    const uuids = new Set<string>();
    for (const dn of this.#notAccounts) {
      const read = this.#pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['entryUUID'] }));
      const { searchEntries: [entry] } = await read.catch((error: unknown) => (isNoSuchObject(error) ? { searchEntries: [] } : Promise.reject(error)));
      const uuid = entry === undefined ? undefined : entryValues(entry).get('entryuuid')?.[0];
      if (uuid !== undefined) uuids.add(uuid.toLowerCase());
    }
    return uuids;
  }
}

/**
 * An entry without an entryUUID (one the bind DN may read but not its
 * entryUUID, by an ACL) is refused: the account id is the entryUUID, and an
 * account without one could match no link (read as vanished) or all of them.
 */
function toEntry(entry: Readonly<Record<string, unknown>> & { readonly dn: string }): LdapEntry {
  const values = entryValues(entry);
  const uuid = values.get('entryuuid')?.[0] ?? '';
  if (uuid === '') {
    throw new RosterError('target.rejected',
      `the directory returned ${entry.dn} without its entryUUID: the bind DN may not read it (grant read access to entryUUID), ` +
      'and Roster identifies accounts by it', { details: { dn: entry.dn } });
  }
  return { dn: entry.dn, uuid, values };
}
