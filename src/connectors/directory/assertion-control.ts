import { BerWriter, Control, FilterParser } from 'ldapts';

/** The LDAP Assertion control (RFC 4528): the server result for an assertion that does not hold. */
export const ASSERTION_FAILED = 122;

/**
 * The LDAP Assertion control (RFC 4528, OpenLDAP supports it on every
 * operation): the operation is carried out only if the entry it names
 * matches `filter` at that moment, else it fails with assertionFailed (122).
 * Critical: a server without it refuses the operation rather than ignoring
 * the condition. Used to delete an entry only while it is still the one read
 * (its entryUUID), never another moved to its DN meanwhile.
 */
export class AssertionControl extends Control {
  static readonly type = '1.3.6.1.1.12';
  readonly #filter: string;

  constructor(filter: string) {
    super(AssertionControl.type, { critical: true });
    this.#filter = filter;
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    FilterParser.parseString(this.#filter).write(value);
    // The control value is an OCTET STRING holding the BER of the filter.
    writer.writeBuffer(value.buffer, 0x04);
  }
}
