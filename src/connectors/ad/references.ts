import type { TargetAccount } from '../../core/types.js';
import { isConnectionError, isRetryableResult } from '../directory/errors.js';
import type { AttributeMapping } from '../directory/mapping.js';
import type { ClientPool } from '../directory/pool.js';
import { entryGuid } from './guid.js';

/** objectGUID lookups of referenced DNs run at once: the pool has a handful of connections. */
const LOOKUPS_AT_ONCE = 8;

/**
 * The `<GUID=…>` form of an account's DN-valued attributes (manager): the
 * form Roster writes through `managerAccount`, so reconcile can tell a
 * reference changed by hand from one that only reads back as a DN
 * (TargetAccount.references). A read shares one DN → objectGUID map.
 */
export class References {
  readonly #pool: ClientPool;
  readonly #mapping: AttributeMapping;
  /** LDAP names (lower-cased) of the attributes that hold a DN. */
  readonly #dnAttributes: ReadonlySet<string>;

  constructor(pool: ClientPool, mapping: AttributeMapping, dnAttributes: ReadonlySet<string>) {
    this.#pool = pool;
    this.#mapping = mapping;
    this.#dnAttributes = dnAttributes;
  }

  /**
   * Looks up the objectGUID of each DN the accounts reference that `guids`
   * does not hold yet, a few at a time: a read of 100k users names thousands
   * of managers.
   */
  async resolve(accounts: readonly TargetAccount[], guids: Map<string, string | undefined>): Promise<void> {
    const missing = new Map<string, string>();
    for (const account of accounts) {
      for (const [, dn] of this.#referencedDns(account)) if (!guids.has(dn.toLowerCase())) missing.set(dn.toLowerCase(), dn);
    }
    const dns = [...missing.values()];
    for (let i = 0; i < dns.length; i += LOOKUPS_AT_ONCE) {
      const batch = dns.slice(i, i + LOOKUPS_AT_ONCE);
      const found = await Promise.all(batch.map((dn) => this.#guidOf(dn)));
      batch.forEach((dn, k) => guids.set(dn.toLowerCase(), found[k]));
    }
  }

  /** The account with `references` from the DNs `resolve` looked up. */
  attach(account: TargetAccount, guids: ReadonlyMap<string, string | undefined>): TargetAccount {
    const references: Record<string, string> = {};
    for (const [name, dn] of this.#referencedDns(account)) {
      const guid = guids.get(dn.toLowerCase());
      if (guid !== undefined) references[name] = `<GUID=${guid}>`;
    }
    return Object.keys(references).length === 0 ? account : { ...account, references };
  }

  /** The DN-valued attributes of an account: Roster name and DN. */
  *#referencedDns(account: TargetAccount): Iterable<[string, string]> {
    for (const [name, value] of Object.entries(account.attributes)) {
      if (typeof value === 'string' && this.#dnAttributes.has(this.#mapping.ldapName(name).toLowerCase())) yield [name, value];
    }
  }

  /**
   * The objectGUID of the object at a DN; undefined when the DC gives none
   * (no such object, a referral to another domain of the forest, an object
   * the bind account may not read): that reference is then compared as
   * written. A failure of the connection or the DC (a timeout, busy) is
   * thrown: swallowed, it would silently turn off drift detection for the pass.
   */
  async #guidOf(dn: string): Promise<string | undefined> {
    try {
      const { searchEntries } = await this.#pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] }));
      return entryGuid(searchEntries[0]?.objectGUID);
    } catch (error) {
      if (isConnectionError(error) || isRetryableResult(error)) throw error;
      return undefined;
    }
  }
}
