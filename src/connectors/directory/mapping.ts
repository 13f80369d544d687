import { standardAttributeName } from '../../core/attribute-names.js';
import { RosterError } from '../../core/errors.js';
import type { Attributes } from '../../core/types.js';
import { renderDnTemplate } from './dn.js';
import { isAttributeName } from './escape.js';
import { toLdapValues, type EntryValues } from './normalise.js';

/** LDAP attributes that are written and never read back (lower-cased). */
const WRITE_ONLY: ReadonlySet<string> = new Set(['userpassword', 'unicodepwd', 'authpassword', 'sambantpassword', 'sambalmpassword', 'userpkcs12']);

/** An LDAP attribute name as the server names it (its first NAME), lower-cased: `userid`, `UID` and `0.9.2342.19200300.100.1.1` are all `uid`. */
export function ldapPrimaryName(name: string): string {
  return standardAttributeName(name);
}

/** Roster attribute names <-> LDAP attribute names of one target. */
export class AttributeMapping {
  readonly keyAttribute: string;
  readonly keyLdap: string;
  readonly #toLdap: ReadonlyMap<string, string>;
  readonly #readable: ReadonlyMap<string, string>;
  /** #readable for fromEntry: Roster name, LDAP name lower-cased, and the name a server answers with. */
  #reads: readonly { readonly rosterName: string; readonly lower: string; readonly primary: string }[];
  /** ldapName's answer for each name the mapping holds whose LDAP name is valid (checked once, not per value written). */
  readonly #validLdap: ReadonlyMap<string, string>;
  readonly #targetId: string;
  /** The server's own aliases (useServerAliases), once read. */
  #aliases: ReadonlyMap<string, string> | undefined;
  /** How toLdap drops a value equal to an earlier one (useDistinct); by default only the very same text. */
  #distinct: (ldapName: string, values: readonly string[]) => string[] = (_name, values) => [...new Set(values)];

  /**
   * `written`: the Roster attributes the target's mappings write. One the
   * mapping does not name keeps its name in LDAP; it is read back too, so an
   * account read carries everything Roster writes (and reconcile sees a value
   * changed or cleared by hand).
   */
  constructor(attributes: Readonly<Record<string, string>>, key: string, targetId: string, written: readonly string[] = []) {
    this.#targetId = targetId;
    const map = new Map(Object.entries(attributes));
    if (!map.has(key)) map.set(key, key);
    for (const name of written) if (!map.has(name) && name !== 'dn' && isAttributeName(name)) map.set(name, name);
    // Write-only attributes are never read back: a password (or its hash) has no business in a link, and
    // the value read is not the one written (a hash), so comparing would reset a password the user changed.
    // Under any of its names: userPassword mapped as 2.5.4.35 is read back as userPassword.
    this.#readable = new Map([...map].filter(([, ldapName]) => !WRITE_ONLY.has(ldapPrimaryName(ldapName))));
    this.#reads = [...this.#readable].map(([rosterName, ldapName]) => ({ rosterName, lower: ldapName.toLowerCase(), primary: ldapPrimaryName(ldapName) }));
    this.#toLdap = map;
    this.#validLdap = new Map([...map].filter(([, ldapName]) => isAttributeName(ldapName)));
    this.keyAttribute = key;
    this.keyLdap = this.ldapName(key);
  }

  /**
   * The server's own aliases (its subschema, schema.ts): an attribute written
   * under an alias outside the standard schemas (a custom schema's, or
   * friendlyCountryName) is then found under the name the server answers with.
   */
  useServerAliases(aliases: ReadonlyMap<string, string>): void {
    this.#aliases = aliases;
    this.#reads = this.#reads.map((read) => ({ ...read, primary: aliases.get(read.lower) ?? read.primary }));
  }

  /**
   * How toLdap drops the values equal to an earlier one: under the
   * attribute's EQUALITY rule (matching.ts), so `Eng` and `eng` of a
   * caseIgnoreMatch attribute are written once, as `Eng`.
   */
  useDistinct(distinct: (ldapName: string, values: readonly string[]) => string[]): void {
    this.#distinct = distinct;
  }

  /** An LDAP attribute name as the server answers with it, lower-cased (its aliases once read, else the built-in table). */
  primaryName(ldapName: string): string {
    const lower = ldapName.toLowerCase();
    return this.#aliases?.get(lower) ?? ldapPrimaryName(lower);
  }

  /**
   * The values an entry as read holds for an LDAP attribute named in any
   * spelling: under that name, else under the name the server answers with
   * (`surname` is read back as `sn`; ldapts also lists the name asked for, empty).
   */
  valuesIn(values: EntryValues, ldapName: string): readonly string[] {
    const direct = values.get(ldapName.toLowerCase());
    if (direct !== undefined && direct.length > 0) return direct;
    return values.get(this.primaryName(ldapName)) ?? direct ?? [];
  }

  /** The current values of each attribute named (`names`, LDAP names as written), found in any spelling (valuesIn), keyed lower-case. */
  heldValues(values: EntryValues, names: Iterable<string>): Map<string, readonly string[]> {
    return new Map([...names].map((name) => [name.toLowerCase(), this.valuesIn(values, name)]));
  }

  /** Two LDAP attribute names for one attribute (`userid` and `UID`)? */
  sameAttribute(a: string, b: string): boolean {
    return this.primaryName(a) === this.primaryName(b);
  }

  ldapName(rosterName: string): string {
    const known = this.#validLdap.get(rosterName);
    if (known !== undefined) return known;
    const name = this.#toLdap.get(rosterName) ?? rosterName;
    if (!isAttributeName(name)) throw new RosterError('target.rejected', `${this.#targetId}: attribute ${JSON.stringify(rosterName)} has no LDAP name (map it in connection.users.attributes)`);
    return name;
  }

  /** LDAP attributes to read for an account (never a write-only one). */
  readAttributes(): string[] {
    return [...new Set(this.#readable.values())];
  }

  /** The Roster attributes a read reports when the entry holds them (ConnectorCapabilities.readBack). */
  readBack(): ReadonlySet<string> {
    return new Set(this.#readable.keys());
  }

  /**
   * Roster attributes -> LDAP attribute values (a null clears: an empty list).
   * `dn` is not an attribute. A value given twice is written once: a server
   * refuses an add or replace that names one value twice (see useDistinct).
   */
  toLdap(attributes: Attributes): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const name of Object.keys(attributes)) {
      const value = attributes[name];
      if (name === 'dn' || value === undefined) continue;
      const values = toLdapValues(value);
      const ldapName = this.ldapName(name);
      out.set(ldapName, values.length > 1 ? this.#distinct(ldapName, values) : values);
    }
    return out;
  }

  /** LDAP values -> Roster attributes of the mapped names (one value: a string; several: a sorted array). */
  fromEntry(values: EntryValues): Record<string, unknown> {
    const attributes: Record<string, unknown> = {};
    for (const { rosterName, lower, primary } of this.#reads) {
      // A server answers with an attribute's first name (sn for surname): look under that one too.
      // (ldapts also lists the name asked for, empty.)
      const direct = values.get(lower);
      const found = direct !== undefined && direct.length > 0 ? direct : values.get(primary);
      if (found === undefined || found.length === 0) continue;
      attributes[rosterName] = found.length === 1 ? found[0] : [...found].sort();
    }
    return attributes;
  }

  /** A value for a template placeholder: a Roster attribute from `attributes`, else from the entry. */
  placeholder(name: string, attributes: Attributes, values: EntryValues | undefined): string | undefined {
    if (Object.hasOwn(attributes, name)) return toLdapValues(attributes[name])[0];
    return values === undefined ? undefined : this.valuesIn(values, this.ldapName(name))[0];
  }

  /** Render a DN template; a missing placeholder is a rejected change. */
  renderDn(template: string, attributes: Attributes, values: EntryValues | undefined, operation: string): string {
    const rendered = renderDnTemplate(template, (name) => this.placeholder(name, attributes, values));
    if ('missing' in rendered) {
      throw new RosterError('target.rejected', `${operation} on ${this.#targetId}: the DN template needs ${rendered.missing.join(', ')}`);
    }
    return rendered.dn;
  }

  /** A plain-text template ({name} unescaped), for defaults such as cn: "{givenName} {sn}". */
  renderText(template: string, attributes: Attributes): string | undefined {
    let missing = false;
    const text = template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_, name: string) => {
      const value = this.placeholder(name, attributes, undefined);
      if (value === undefined) missing = true;
      return value ?? '';
    });
    return missing || text === '' ? undefined : text;
  }
}
