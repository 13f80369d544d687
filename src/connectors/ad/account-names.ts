import { RosterError } from '../../core/errors.js';
import type { Attributes } from '../../core/types.js';
import type { AttributeMapping } from '../directory/mapping.js';
import { toLdapValues } from '../directory/normalise.js';
import type { AdEntry } from './entries.js';
import { samAccountNameProblem } from '../directory/sam-account-name.js';

/**
 * An AD account's names as this target maps them: which Roster attributes
 * write sAMAccountName and userPrincipalName, the UPN a new account gets,
 * the one a rename of its sAMAccountName brings, and the rules a
 * sAMAccountName must meet.
 */
export class AccountNames {
  readonly #mapping: AttributeMapping;
  readonly #upnSuffix: string | undefined;
  /** The Roster attributes this target's mappings write (ConnectorContext.attributes). */
  readonly #written: readonly string[] | undefined;
  readonly #targetId: string;

  constructor(mapping: AttributeMapping, upnSuffix: string | undefined, written: readonly string[] | undefined, targetId: string) {
    this.#mapping = mapping;
    this.#upnSuffix = upnSuffix;
    this.#written = written;
    this.#targetId = targetId;
  }

  /** Whether a Roster attribute is written to this AD attribute (lower-cased); false for a name with no LDAP name. */
  isLdap(attribute: string, lower: string): boolean {
    try {
      return this.#mapping.ldapName(attribute).toLowerCase() === lower;
    } catch {
      return false;
    }
  }

  /** The userPrincipalName of a new account: the one the spec gives (under any Roster name), else <sAMAccountName>@<upnSuffix>. */
  upn(attributes: Attributes, sam: string | undefined): string | undefined {
    const upnAttribute = this.upnAttribute(attributes);
    const given = upnAttribute === undefined ? undefined : toLdapValues(attributes[upnAttribute])[0];
    if (given !== undefined || sam === undefined) return given;
    return this.#upnSuffix === undefined ? undefined : `${sam}@${this.#upnSuffix}`;
  }

  /**
   * The userPrincipalName an update sets because the sAMAccountName changes,
   * or undefined to leave it alone: only when the change gives no UPN, the
   * target's mappings give none (they send their own when it changes), and
   * the account has none or the one made from its old sAMAccountName. A UPN
   * set otherwise (by a mapping, by hand) is kept.
   */
  derivedUpn(entry: AdEntry, attributes: Attributes): string | undefined {
    const suffix = this.#upnSuffix;
    const sam = this.sam(attributes);
    if (suffix === undefined || sam === undefined || this.upnAttribute(attributes) !== undefined) return undefined;
    if (this.#written?.some((name) => this.isLdap(name, 'userprincipalname')) === true) return undefined;
    const current = entry.values.get('userprincipalname')?.[0];
    const oldSam = entry.values.get('samaccountname')?.[0];
    if (current !== undefined && (oldSam === undefined || current.toLowerCase() !== `${oldSam}@${suffix}`.toLowerCase())) return undefined;
    return `${sam}@${suffix}`;
  }

  /** The Roster attribute of the spec that maps to userPrincipalName. */
  upnAttribute(attributes: Attributes): string | undefined {
    return Object.keys(attributes).find((n) => this.isLdap(n, 'userprincipalname'));
  }

  /** A sAMAccountName AD would refuse (or that breaks logons) is refused before anything is written, naming the rule. */
  checkSam(sam: string | undefined, operation: string): void {
    const problem = sam === undefined ? undefined : samAccountNameProblem(sam);
    if (problem !== undefined) throw new RosterError('target.rejected', `${operation} on ${this.#targetId}: sAMAccountName ${JSON.stringify(sam)} ${problem}`);
  }

  /** The sAMAccountName the spec gives (through whichever Roster attribute maps to it). */
  sam(attributes: Attributes): string | undefined {
    const name = this.samAttribute(attributes);
    return name === undefined ? undefined : toLdapValues(attributes[name])[0];
  }

  /** The Roster attribute of the spec that maps to sAMAccountName. */
  samAttribute(attributes: Attributes): string | undefined {
    return Object.keys(attributes).find((n) => this.isLdap(n, 'samaccountname'));
  }
}
