import { RosterError } from '../../core/errors.js';
import type { AccountSpec } from '../types.js';
import type { AttributeMapping } from '../directory/mapping.js';
import { encodedAttributes } from '../directory/encoded-attribute.js';
import { isNoSuchObject, resultCodeOf, ResultCode } from '../directory/errors.js';
import { ensureParentOUs } from '../directory/parents.js';
import type { ClientPool } from '../directory/pool.js';
import type { LdapConnectionConfig, LdapDisableConfig } from './config.js';
import type { EntryReader, LdapEntry } from './entries.js';
import { inOu, newEntryBody, withKey, withPosix } from './new-entry.js';
import type { Placement } from './placement.js';
import type { UidNumberAllocator } from './posix.js';

export type AddOutcome = { readonly added: LdapEntry } | { readonly existing: LdapEntry };

export interface EntryAdderOptions {
  readonly pool: ClientPool;
  readonly reader: EntryReader;
  readonly users: LdapConnectionConfig['users'];
  readonly disable: LdapDisableConfig | undefined;
  readonly mapping: AttributeMapping;
  readonly placement: Placement;
  readonly uidNumbers: UidNumberAllocator | undefined;
  readonly targetId: string;
  /** The one account holding the key (EntryReader.byKey under the mapping's key attribute). */
  readonly byKey: (key: string, operation: string) => Promise<LdapEntry | undefined>;
}

/**
 * A create's add: the entry where the mapping places it (the disabled OU for
 * a disabled create under the move strategy), with an allocated uidNumber
 * when users.posix is set, read back in the same round trip. Kept apart from
 * the connector, which decides whether to search first and what to do with
 * an entry that already holds the key.
 */
export class EntryAdder {
  readonly #o: EntryAdderOptions;

  constructor(options: EntryAdderOptions) {
    this.#o = options;
  }

  /**
   * Add the entry and read it back in the same round trip (Post-Read control,
   * else a base search). When the DN is taken by an entry with the same key
   * (made earlier, or meanwhile), that entry is returned to be brought in line.
   */
  add(spec: AccountSpec, key: string): Promise<AddOutcome> {
    const { disable, placement, mapping, users, uidNumbers } = this.#o;
    let dn = placement.mappedDn(spec.attributes, undefined, 'create');
    const disabledHere = !spec.enabled && disable?.strategy === 'move';
    if (disabledHere) dn = inOu(dn, disable.ou);
    // A leaver with the same RDN may hold the DN in the disabled OU: then the key makes it unique.
    const keyed = disabledHere ? withKey(dn, { attribute: mapping.keyLdap, value: key }) : undefined;
    const body = newEntryBody(spec, users, disable, mapping);
    const posix = users.posix;
    if (posix === undefined || uidNumbers === undefined) return this.#addOrFind(dn, keyed, body, key);
    return uidNumbers.addEntry((uidNumber) => this.#addOrFind(dn, keyed, withPosix(body, posix, users, spec, key, uidNumber, mapping), key));
  }

  /**
   * Add the entry at `dn`. The same key holding the DN: that entry, for the
   * caller to bring in line. Another entry holding it: refused (or, disabled,
   * added at the `keyed` DN). Methods rather than closures made per create:
   * the run-time transform names each such closure (__name) every time.
   */
  async #addOrFind(dn: string, keyed: string | undefined, body: Record<string, string[]>, key: string): Promise<AddOutcome> {
    try {
      return await this.#addAt(dn, body, key);
    } catch (error) {
      if (resultCodeOf(error) !== ResultCode.entryAlreadyExists) throw error;
      const existing = await this.#o.byKey(key, 'create');
      if (existing !== undefined) return { existing };
      if (keyed === undefined) {
        throw new RosterError('target.conflict', `create on ${this.#o.targetId}: ${dn} is held by another entry (without ${this.#o.mapping.keyLdap} ${key}): ` +
          'users.dn gives two accounts one DN; put the key in the template (uid={uid},…), or rename one', { cause: error, details: { dn, resultCode: ResultCode.entryAlreadyExists } });
      }
      return this.#addAt(keyed, body, key);
    }
  }

  /**
   * The add with a Post-Read control for the entryUUID; the entry as stored
   * (read back when the server returned no entryUUID). A missing parent OU is
   * made, if configured, and the add tried once more.
   */
  async #addAt(dn: string, body: Record<string, string[]>, key: string, makeParents = this.#o.users.createOUs): Promise<{ readonly added: LdapEntry }> {
    const { pool, reader } = this.#o;
    const postRead = reader.postReadUuid();
    try {
      await pool.use((c) => c.add(dn, encodedAttributes(body), postRead));
    } catch (error) {
      if (!isNoSuchObject(error) || !makeParents) throw error;
      await ensureParentOUs(pool, dn, this.#o.users.base);
      return this.#addAt(dn, body, key, false);
    }
    const added = reader.added(postRead, dn, body) ?? await reader.byDn(dn);
    if (added === undefined) throw new RosterError('target.rejected', `create on ${this.#o.targetId}: ${key} was not stored`);
    return { added };
  }
}
