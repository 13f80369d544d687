import type { AccountPlacement, Attributes } from '../../core/types.js';
import { isUnder, normaliseDn, parseDn, sameDn } from '../directory/dn.js';
import type { Member } from '../directory/groups.js';
import { ldapPrimaryName, type AttributeMapping } from '../directory/mapping.js';
import { toLdapValues, type EntryValues } from '../directory/normalise.js';
import type { LdapConnectionConfig, LdapDisableConfig } from './config.js';
import type { LdapEntry } from './entries.js';
import { explicitDn, inOu, withKey } from './new-entry.js';

type Users = LdapConnectionConfig['users'];

export interface PlacementOptions {
  readonly users: Users;
  readonly disable: LdapDisableConfig | undefined;
  readonly mapping: AttributeMapping;
  readonly targetId: string;
}

/**
 * Where an account entry belongs (its DN from the template or an explicit
 * `dn`, the disabled OU of the move strategy), and what groups name it by.
 */
export class Placement {
  readonly #o: PlacementOptions;

  constructor(options: PlacementOptions) {
    this.#o = options;
  }

  /** How groups name an entry (its DN, and its uid for memberUid). */
  member(entry: LdapEntry): Member {
    return { dn: entry.dn, uid: entry.values.get('uid')?.[0] };
  }

  /**
   * Where the entry belongs after these attribute changes. A disabled entry
   * stays in the disabled OU. `keyed` is its DN if another entry holds that
   * one (two leavers named John Smith in the disabled OU; a rehire whose OU
   * took on a namesake meanwhile): an entry already keyed stays keyed, no
   * move back and forth. An explicit `dn` outside the disabled OU is never keyed.
   * Without `place` an update that writes no value the DN takes leaves the
   * entry where it is (users.placement: keep; an entry moved by hand stays).
   */
  targetDn(entry: LdapEntry, attributes: Attributes, wanted: ReadonlyMap<string, readonly string[]>, place = false): { readonly dn: string; readonly keyed?: string } {
    const disable = this.#o.disable;
    const explicit = typeof attributes.dn === 'string' && attributes.dn !== '';
    // `place`: the plan moves it back where it belongs (placement drift, see misplaced), whatever the update writes.
    const relevant = place || explicit || this.#templateUses(attributes);
    if (!relevant) return { dn: entry.dn };
    const mapped = this.mappedDn(attributes, entry, 'update');
    const key = valueOf(wanted, this.#o.mapping.keyLdap, this.#o.mapping) ?? this.keyOf(entry);
    if (disable?.strategy === 'move' && isUnder(entry.dn, disable.ou)) {
      const dn = inOu(mapped, disable.ou);
      return { dn, keyed: this.keyed(dn, key) };
    }
    // An explicit dn is where the entry goes; a templated one gets the key in its RDN where another entry holds it (see move).
    return explicit ? { dn: mapped } : { dn: mapped, keyed: this.keyed(mapped, key) };
  }

  /**
   * Where the entry belongs when that is not where it is (placement drift,
   * users.placement: enforce): the DN an explicit `dn` of `recorded` (the
   * link's attributes) or else users.dn gives it from its own values, in the
   * disabled OU when it is disabled by move; as targetDn decides, so the
   * move back (an update with `place`) goes there. A DN the directory holds
   * as the same (case, spacing: sameDn) is in place, and so is the keyed
   * form a namesake made it take (no move back and forth). Undefined when in
   * place or when it cannot be told (a value the template needs is missing).
   */
  misplaced(entry: LdapEntry, recorded: Attributes): AccountPlacement | undefined {
    const disable = this.#o.disable;
    const explicit = typeof recorded.dn === 'string' && recorded.dn !== '' ? { dn: recorded.dn } : {};
    let mapped: string;
    try {
      mapped = this.mappedDn(explicit, entry, 'reconcile');
    } catch {
      return undefined;
    }
    const disabled = disable?.strategy === 'move' && isUnder(entry.dn, disable.ou);
    const belongs = disabled ? inOu(mapped, disable.ou) : mapped;
    // Reconcile asks this of every linked entry: one Roster made and nobody moved is spelled as rendered, so in place
    // without normalising either DN; otherwise the entry's DN is normalised once, and the keyed form made only then.
    if (belongs === entry.dn) return undefined;
    const at = normaliseDn(entry.dn);
    if (normaliseDn(belongs) === at) return undefined;
    // An explicit dn outside the disabled OU is never keyed (targetDn).
    const keyed = disabled || !('dn' in explicit) ? this.keyed(belongs, this.keyOf(entry)) : undefined;
    if (keyed !== undefined && normaliseDn(keyed) === at) return undefined;
    return { at: entry.dn, belongs, ...(disable?.strategy === 'move' ? { byState: true as const } : {}) };
  }

  /**
   * What groups named the entry by when Roster last recorded it (`previous`,
   * its link's attributes), where that differs from what names it now: an
   * earlier attempt at an update renamed it (and may have left the old value
   * in its groups), or it was renamed by hand. The DN is the one the entry had
   * if it sat where those attributes place it (an entry kept at a DN of its
   * own outside the template cannot be told). Empty when nothing differs.
   */
  previousMembers(entry: LdapEntry, previous: Attributes): Member[] {
    const now = this.member(entry);
    const uid = this.#previousUid(previous) ?? now.uid;
    const dns = this.#previousDns(entry, previous);
    const members = dns.map((dn) => ({ dn, uid }));
    if (uid !== now.uid && members.length === 0) members.push({ dn: now.dn, uid });
    return members;
  }

  /** The uid `previous` gives the entry: a Roster attribute the mapping writes to uid (or userid). */
  #previousUid(previous: Attributes): string | undefined {
    for (const name of Object.keys(previous)) {
      if (name === 'dn') continue;
      let ldap: string;
      try {
        ldap = this.#o.mapping.ldapName(name);
      } catch {
        continue;
      }
      if (ldapPrimaryName(ldap) === 'uid') return toLdapValues(previous[name])[0];
    }
    return undefined;
  }

  #previousDns(entry: LdapEntry, previous: Attributes): string[] {
    const explicit = typeof previous.dn === 'string' && previous.dn !== '';
    if (!explicit && !this.#templateUses(previous)) return [];
    // The template decides the DN only for an entry whose values differ from the record: else it is where it was.
    const values = rdnFirst(entry, this.#o.mapping);
    const changed = explicit || this.#templateNames().some((name) => Object.hasOwn(previous, name) && this.#o.mapping.placeholder(name, previous, undefined) !== this.#o.mapping.placeholder(name, {}, values));
    if (!changed) return [];
    let mapped: string;
    try {
      mapped = this.mappedDn(previous, entry, 'update');
    } catch {
      return [];
    }
    const disable = this.#o.disable;
    const dns = disable?.strategy === 'move' && isUnder(entry.dn, disable.ou) ? [inOu(mapped, disable.ou)] : [mapped];
    const key = toLdapValues(previous[this.#o.mapping.keyAttribute])[0] ?? this.keyOf(entry);
    const keyed = disable?.strategy === 'move' && dns[0] !== undefined && isUnder(dns[0], disable.ou) ? this.keyed(dns[0], key) : undefined;
    if (keyed !== undefined) dns.push(keyed);
    return dns.filter((dn) => !sameDn(dn, entry.dn));
  }

  /** `dn` with the account key in its RDN (see withKey); undefined when the RDN has the key already or there is no key. */
  keyed(dn: string, key: string | undefined): string | undefined {
    return key === undefined ? undefined : withKey(dn, { attribute: this.#o.mapping.keyLdap, value: key });
  }

  keyOf(entry: LdapEntry): string | undefined {
    return this.#o.mapping.valuesIn(entry.values, this.#o.mapping.keyLdap)[0];
  }

  mappedDn(attributes: Attributes, entry: LdapEntry | undefined, operation: string): string {
    const explicit = attributes.dn;
    const { users, disable, targetId, mapping } = this.#o;
    if (typeof explicit === 'string' && explicit !== '') return explicitDn(explicit, { users, disable, operation, targetId });
    return mapping.renderDn(users.dn, attributes, entry === undefined ? undefined : rdnFirst(entry, mapping), operation);
  }

  #templateUses(attributes: Attributes): boolean {
    return this.#templateNames().some((name) => Object.hasOwn(attributes, name));
  }

  #templateNames(): string[] {
    return [...this.#o.users.dn.matchAll(/\{([A-Za-z0-9_.-]+)\}/g)].map((m) => m[1] ?? '');
  }
}

/** The uid an update writes (under `uid` or an alias such as `userid`), if it writes one (memberUid holds the first value). */
export function uidIn(wanted: ReadonlyMap<string, readonly string[]>, mapping: Pick<AttributeMapping, 'sameAttribute'>): string | undefined {
  return valueOf(wanted, 'uid', mapping);
}

/** The first value an update writes to `attribute` (any case, any alias), if it writes one. */
export function valueOf(wanted: ReadonlyMap<string, readonly string[]>, attribute: string, mapping: Pick<AttributeMapping, 'sameAttribute'>): string | undefined {
  for (const [name, values] of wanted) if (mapping.sameAttribute(name, attribute)) return values[0];
  return undefined;
}

/**
 * The entry's values with, for each attribute of its RDN, the RDN's value
 * first. A DN template's placeholder takes an attribute's first value, and
 * the server returns several in no set order: an entry named
 * `cn=Zeta Person` that also holds `cn: Alpha Alias` must not be renamed to
 * its other name when a move renders its DN again.
 */
export function rdnFirst(entry: LdapEntry, mapping: Pick<AttributeMapping, 'primaryName'>): EntryValues {
  let rdn;
  try {
    rdn = parseDn(entry.dn)[0];
  } catch {
    return entry.values;
  }
  if (rdn === undefined) return entry.values;
  // Copied only when an RDN value is not first already (the usual single-valued uid or cn is): reconcile renders every entry's DN.
  let out: Map<string, readonly string[]> | undefined;
  for (const ava of rdn) {
    const lower = ava.type.toLowerCase();
    const key = (entry.values.get(lower)?.length ?? 0) > 0 ? lower : mapping.primaryName(ava.type);
    const held = entry.values.get(key) ?? [];
    const first = held[0] === ava.value ? held[0] : held.find((value) => comparable(value) === comparable(ava.value)) ?? ava.value;
    if (held[0] !== first) (out ??= new Map(entry.values)).set(key, [first, ...held.filter((value) => value !== first)]);
  }
  return out ?? entry.values;
}

function comparable(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}
