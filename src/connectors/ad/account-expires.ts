import type { Attributes } from '../../core/types.js';
import type { AttributeMapping } from '../directory/mapping.js';
import type { EntryValues } from '../directory/normalise.js';
import { accountExpiresValue, filetimeToIso } from './filetime.js';

/**
 * accountExpires as Roster writes and reads it: a date (an HR end date, the
 * last day worked, in the target's time zone) or an instant, kept in AD as a
 * FILETIME; empty or null is "never".
 */
export class AccountExpires {
  readonly #mapping: AttributeMapping;
  readonly #timezone: string;
  /** The Roster names read back as accountExpires (converted from FILETIME). */
  readonly #names: readonly string[];

  constructor(mapping: AttributeMapping, timezone: string) {
    this.#mapping = mapping;
    this.#timezone = timezone;
    this.#names = [...mapping.readBack()].filter((name) => this.is(name));
  }

  /** Whether a Roster attribute is written to accountExpires; false for a name with no LDAP name. */
  is(attribute: string): boolean {
    try {
      return this.#mapping.ldapName(attribute).toLowerCase() === 'accountexpires';
    } catch {
      return false;
    }
  }

  /** Roster attributes -> AD values, with accountExpires as a FILETIME. */
  toLdap(attributes: Attributes): Map<string, string[]> {
    const values = this.#mapping.toLdap(attributes);
    for (const [name, value] of Object.entries(attributes)) {
      if (this.is(name)) values.set(this.#mapping.ldapName(name), [accountExpiresValue(value, this.#timezone)]);
    }
    return values;
  }

  /** Sets (or removes, for "never") accountExpires as a date under every Roster name that maps to it. */
  read(attributes: Record<string, unknown>, values: EntryValues): void {
    const expires = values.get('accountexpires')?.[0];
    const iso = expires === undefined ? undefined : filetimeToIso(expires, this.#timezone);
    for (const name of this.#names) {
      if (iso !== undefined) attributes[name] = iso;
      else delete attributes[name];
    }
  }

  /**
   * A date-time at midnight or with an offset reads back in another form (the
   * day before, or UTC), which is the same instant when both give the same
   * FILETIME; "never" is never however it is spelled.
   */
  sameValue(attribute: string, written: unknown, held: unknown): boolean {
    if (!this.is(attribute)) return false;
    try {
      return accountExpiresValue(written, this.#timezone) === accountExpiresValue(held, this.#timezone);
    } catch {
      return false; // not a date: compared as text
    }
  }
}
