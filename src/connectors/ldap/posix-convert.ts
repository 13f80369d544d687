import { Attribute, Change } from 'ldapts';
import type { Attributes } from '../../core/types.js';
import { ldapPrimaryName, type AttributeMapping } from '../directory/mapping.js';
import type { ClientPool } from '../directory/pool.js';
import type { LdapConnectionConfig } from './config.js';
import type { EntryReader, LdapEntry } from './entries.js';
import { posixAttributes } from './new-entry.js';
import type { UidNumberAllocator } from './posix.js';
import { isRangeFull } from './posix-counter.js';

type Users = LdapConnectionConfig['users'];
type Posix = NonNullable<Users['posix']>;

/** What a conversion reads of the entry: the object classes, the posixAccount MUST / MAY attributes it may hold already, and when it last changed (settleConverted). */
const POSIX_READ = ['objectClass', 'cn', 'uid', 'uidNumber', 'gidNumber', 'homeDirectory', 'loginShell', 'modifyTimestamp'];

export interface PosixConversionOptions {
  readonly pool: ClientPool;
  readonly reader: EntryReader;
  readonly users: Users;
  readonly posix: Posix;
  readonly uidNumbers: UidNumberAllocator;
  readonly mapping: AttributeMapping;
}

/** Does the entry (read with its objectClass) hold the posixAccount class? */
export function isPosixAccount(entry: LdapEntry): boolean {
  return (entry.values.get('objectclass') ?? []).some((oc) => oc.toLowerCase() === 'posixaccount');
}

/**
 * Makes an account entry made before `users.posix` was configured a
 * posixAccount, as a create would have made it (withPosix): the class, a
 * uidNumber from the allocator (checked free, then settled like an add's),
 * and the gidNumber, homeDirectory, loginShell, uid (and cn from
 * users.defaults) the entry does not hold yet; what it holds (mapped or
 * set by hand) stays. An update converting the entry runs this before its
 * own modify, with its attributes: a posix attribute it maps (home ->
 * homeDirectory) is written with the class, which must come with it, and
 * templates see its values (/home/{uid} with the new uid). One modify
 * request, so the entry is converted whole or not at all.
 *
 * Idempotent: an entry that is a posixAccount already is not converted
 * again (whoever made it one, and with whatever number); its number is only
 * settled, in case a conversion whose settle never ran made it one
 * (UidNumberAllocator.settleConverted). When the modify fails, the entry is
 * read again: converted with this number (the modify was applied, and its
 * answer lost or the resent request refused), it is settled and done;
 * converted with another (a concurrent conversion won), done; else the error
 * stands, and the number reserved is a gap. A settle with no number left to
 * move to (a full range) undoes the conversion, every value it added removed
 * and a uidNumber the entry held before put back, in one modify, and fails
 * naming the range: a full range never leaves a duplicate.
 */
export class PosixConversion {
  readonly #o: PosixConversionOptions;

  constructor(options: PosixConversionOptions) {
    this.#o = options;
  }

  /**
   * Make the account (its entryUUID, or its entry as just read) a posixAccount, unless it is one (or is gone);
   * `attributes`: what the update about to run writes. An entry read as a posixAccount with its uidNumber and
   * modifyTimestamp (the connector reads them with users.posix) is settled without reading it again.
   */
  async ensure(account: string | LdapEntry, attributes: Attributes = {}): Promise<void> {
    const { reader, uidNumbers, pool } = this.#o;
    const uuid = typeof account === 'string' ? account : account.uuid;
    const entry = typeof account !== 'string' && isPosixAccount(account) && account.values.has('modifytimestamp') ? account : await reader.byUuid(uuid, POSIX_READ);
    if (entry === undefined) return;
    if (isPosixAccount(entry)) return uidNumbers.settleConverted(entry, Number(entry.values.get('uidnumber')?.[0]), entry.values.get('modifytimestamp')?.[0]);
    let used: number | undefined;
    let dn = entry.dn;
    let changes: Change[] = [];
    try {
      await uidNumbers.allocate(async (uidNumber) => {
        used = uidNumber;
        changes = this.#changes(entry, attributes, uidNumber);
        await pool.use((c) => c.modify(entry.dn, changes));
      });
    } catch (error) {
      const now = await reader.byUuid(uuid, POSIX_READ).catch(() => undefined);
      if (now === undefined || !isPosixAccount(now)) throw error;
      if (used === undefined || now.values.get('uidnumber')?.[0] !== String(used)) return;
      dn = now.dn;
    }
    if (used === undefined) return;
    try {
      await uidNumbers.settle({ dn, uuid }, used);
    } catch (error) {
      if (!isRangeFull(error)) throw error;
      // An undo refused (the entry changed meanwhile) leaves it converted: the next write settles it again (settleConverted) and fails naming the range.
      await pool.use((c) => c.modify(dn, undoing(entry, changes))).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The modify that converts `entry`: what posixAttributes gives a new entry,
   * less what the entry holds (but the uidNumber); a value the update writes
   * (`attributes`) stands in for the template's.
   */
  #changes(entry: LdapEntry, attributes: Attributes, uidNumber: number): Change[] {
    const { users, posix, mapping } = this.#o;
    const held = new Set([...entry.values].filter(([, values]) => values.length > 0).map(([name]) => ldapPrimaryName(name)));
    const written = new Map([...mapping.toLdap(attributes)].filter(([, values]) => values.length > 0).map(([name, values]) => [ldapPrimaryName(name), values]));
    const ldapKey = ldapPrimaryName(mapping.keyLdap);
    const key = written.get(ldapKey)?.[0] ?? entry.values.get(ldapKey)?.[0] ?? entry.values.get(mapping.keyLdap.toLowerCase())?.[0] ?? '';
    const roster = { ...mapping.fromEntry(entry.values), ...attributes };
    const uid = roster.uid ?? written.get('uid')?.[0] ?? entry.values.get('uid')?.[0] ?? key;
    const wanted: Record<string, string[]> = {};
    const spec = { attributes: { ...roster, uid }, enabled: true };
    for (const [name, values] of Object.entries(posixAttributes(posix, users, spec, key, uidNumber, mapping, held.has('uid')))) {
      const primary = ldapPrimaryName(name);
      if (name === 'objectClass') wanted.objectClass = ['posixAccount'];
      else if (name === 'uidNumber') wanted[name] = values;
      else if (!held.has(primary)) wanted[name] = written.get(primary) ?? values;
    }
    // cn is a MUST of posixAccount: an entry without one gets the update's, else the one a create would give it (users.defaults).
    const cn = Object.entries(users.defaults).find(([name]) => ldapPrimaryName(name) === 'cn');
    const rendered = cn === undefined ? undefined : mapping.renderText(cn[1], { ...roster, uid });
    const cnValues = held.has('cn') ? undefined : written.get('cn') ?? (rendered === undefined ? undefined : [rendered]);
    if (cnValues !== undefined) wanted.cn = cnValues;
    return Object.entries(wanted).map(([type, values]) => new Change({
      // uidNumber replaces (an entry may hold one through another class); every other value is added (an objectClass already there is refused: converted meanwhile).
      operation: type === 'uidNumber' ? 'replace' : 'add', modification: new Attribute({ type, values }),
    }));
  }
}

/**
 * The modify that undoes a conversion (`changes`, made to `before`): each
 * value it added deleted (by value: one changed since fails the modify
 * rather than go), the uidNumber (whatever a settle moved it to) removed, or
 * the one `before` held put back. The entry is as it was before Roster.
 */
function undoing(before: LdapEntry, changes: readonly Change[]): Change[] {
  return changes.map(({ operation, modification: { type, values } }) => {
    if (operation === 'add') return new Change({ operation: 'delete', modification: new Attribute({ type, values }) });
    const held = before.values.get(type.toLowerCase()) ?? [];
    return new Change({ operation: held.length === 0 ? 'delete' : 'replace', modification: new Attribute({ type, values: [...held] }) });
  });
}
