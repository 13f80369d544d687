import { BerReader, BerWriter, Control } from 'ldapts';

/** The entry a Post-Read response control carries: its DN and its values as ldapts gives a search entry. */
export interface PostReadEntry {
  readonly dn: string;
  readonly [attribute: string]: string | string[];
}

const OCTET_STRING = 0x04;
const SEQUENCE = 0x30;
const SET = 0x31;
/** SearchResultEntry ::= [APPLICATION 4] SEQUENCE { objectName, attributes } */
const SEARCH_RESULT_ENTRY = 0x64;

/**
 * The LDAP Post-Read control (RFC 4527): the server returns the entry as it
 * stands after the write (an add here), in the same round trip. Sent
 * non-critical, so a server that does not know it still does the write and
 * `entry` stays undefined: the caller reads the entry back instead.
 *
 * ldapts hands a response control whose OID matches a request control to that
 * same instance (`parse`), so one control object per request: never share it.
 */
export class PostReadControl extends Control {
  static readonly type = '1.3.6.1.1.13.2';
  readonly attributes: readonly string[];
  #entry: PostReadEntry | undefined;

  constructor(attributes: readonly string[]) {
    super(PostReadControl.type, { critical: false });
    this.attributes = attributes;
  }

  /** The entry the server returned, when it did. */
  get entry(): PostReadEntry | undefined {
    return this.#entry;
  }

  /** The whole control, encoded once per attribute list (see controlOf); a critical one the general way. */
  override write(writer: BerWriter): void {
    if (this.critical) super.write(writer);
    else writer.writeBuffer(controlOf(this.type, this.attributes), SEQUENCE);
  }

  protected override writeControl(writer: BerWriter): void {
    writer.writeBuffer(selectionOf(this.attributes), OCTET_STRING);
  }

  /**
   * The entry the server sent, or none when the answer is not one: ldapts
   * parses response controls inside its message parser, so a throw here
   * would fail an add the server has made. A malformed answer leaves
   * `entry` undefined and the connector reads the entry back itself: so does
   * a length running past the end of the data, and a read that does not move
   * the reader.
   */
  protected override parseControl(reader: BerReader): void {
    try {
      this.#entry = parseEntry(reader);
    } catch {
      this.#entry = undefined;
    }
  }
}

function parseEntry(reader: BerReader): PostReadEntry | undefined {
  if (reader.readSequence(SEARCH_RESULT_ENTRY) === null) return undefined;
  const dn = reader.readString() ?? '';
  if (reader.readSequence() === null) return undefined;
  const limit = reader.offset + reader.remain;
  const end = reader.offset + reader.length;
  if (end > limit) return undefined;
  const entry: Record<string, string | string[]> = { dn };
  while (reader.offset < end) {
    const at = reader.offset;
    // PartialAttribute ::= SEQUENCE { type, vals SET OF value }, read as ldapts's Attribute.parse reads it.
    reader.readSequence();
    const type = reader.readString() ?? '';
    const values: string[] = [];
    if (reader.peek() === SET && reader.readSequence(SET) !== null) {
      const binary = /;binary$/i.test(type);
      const setEnd = reader.offset + reader.length;
      if (setEnd > limit) return undefined;
      while (reader.offset < setEnd) {
        const before = reader.offset;
        values.push(valueText(reader.readString(OCTET_STRING, true) ?? Buffer.alloc(0), binary));
        if (reader.offset <= before) return undefined;
      }
    }
    if (reader.offset <= at) return undefined;
    entry[type] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return entry as PostReadEntry;
}

const strictUtf8 = new TextDecoder('utf8', { fatal: true });

/**
 * A value as text, as the search path gives it: ldapts decodes strict UTF-8,
 * dropping a leading BOM, and leaves a `;binary` type or invalid UTF-8 as a
 * Buffer, which is then read as UTF-8 as it is. Only a leading BOM can make
 * the two readings differ, so only then is the strict decoder asked.
 */
function valueText(bytes: Buffer, binary: boolean): string {
  const text = bytes.toString('utf8');
  if (binary || text.charCodeAt(0) !== 0xfeff) return text;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return text;
  }
}

/** Encoded controls (the content of the control's SEQUENCE: OID, criticality FALSE, value) by OID and attribute list. */
const controls = new Map<string, Buffer>();

function controlOf(type: string, attributes: readonly string[]): Buffer {
  const key = `${type}\u0000${attributes.join('\u0000')}`;
  let control = controls.get(key);
  if (control === undefined) {
    const writer = new BerWriter();
    writer.writeString(type);
    writer.writeBoolean(false);
    writer.writeBuffer(selectionOf(attributes), OCTET_STRING);
    control = writer.buffer;
    if (controls.size < MAX_SELECTIONS) controls.set(key, control);
  }
  return control;
}

/** Encoded attribute selections by attribute list: every add of a create asks for the same one. */
const selections = new Map<string, Buffer>();
const MAX_SELECTIONS = 100;

/** The control value: the AttributeSelection (a SEQUENCE OF attribute descriptions), encoded once per list. */
function selectionOf(attributes: readonly string[]): Buffer {
  const key = attributes.join('\u0000');
  let selection = selections.get(key);
  if (selection === undefined) {
    const writer = new BerWriter();
    writer.startSequence();
    for (const attribute of attributes) writer.writeString(attribute);
    writer.endSequence();
    selection = writer.buffer;
    if (selections.size < MAX_SELECTIONS) selections.set(key, selection);
  }
  return selection;
}

/** Decode a Post-Read response control value (for tests and tools). */
export function parsePostReadValue(value: Buffer, attributes: readonly string[] = []): PostReadEntry | undefined {
  const control = new PostReadControl(attributes);
  control.parse(new BerReader(value));
  return control.entry;
}
