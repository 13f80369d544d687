import { Attribute, type BerWriter } from 'ldapts';

const SEQUENCE = 0x30;
const SET = 0x31;
const OCTET_STRING = 0x04;

/** Octets of a BER definite length. */
function lengthSize(length: number): number {
  return length <= 0x7f ? 1 : length <= 0xff ? 2 : length <= 0xffff ? 3 : length <= 0xffffff ? 4 : 5;
}

function putLength(buffer: Buffer, at: number, length: number): number {
  const size = lengthSize(length);
  if (size === 1) {
    buffer[at] = length;
    return at + 1;
  }
  buffer[at] = 0x80 | (size - 1);
  for (let i = size - 1; i >= 1; i--) buffer[at + i] = (length >>> (8 * (size - 1 - i))) & 0xff;
  return at + size;
}

function putOctetString(buffer: Buffer, at: number, text: string, bytes: number): number {
  buffer[at] = OCTET_STRING;
  const start = putLength(buffer, at + 1, bytes);
  return start + buffer.write(text, start, bytes, 'utf8');
}

/** `type` then SET OF OCTET STRING `values`: the content of an attribute's SEQUENCE (RFC 4511 PartialAttribute). */
function encodeContent(type: string, values: readonly string[]): Buffer {
  const typeBytes = Buffer.byteLength(type, 'utf8');
  const valueBytes = values.map((value) => Buffer.byteLength(value, 'utf8'));
  let set = 0;
  for (const bytes of valueBytes) set += 1 + lengthSize(bytes) + bytes;
  const buffer = Buffer.allocUnsafe(1 + lengthSize(typeBytes) + typeBytes + 1 + lengthSize(set) + set);
  let at = putOctetString(buffer, 0, type, typeBytes);
  buffer[at] = SET;
  at = putLength(buffer, at + 1, set);
  values.forEach((value, i) => {
    at = putOctetString(buffer, at, value, valueBytes[i] ?? 0);
  });
  return buffer;
}

/**
 * The content of an attribute's SEQUENCE as a string whose UTF-8 encoding is
 * exactly its BER bytes, when every length inside is short (at most 127, one
 * octet below 0x80): then each tag and length is one ASCII character, and the
 * type and values are UTF-8 text as BER has them. Undefined otherwise.
 * Separators sit between the pieces, so no two surrogates from different
 * pieces meet (each lone one is written as U+FFFD, as it is on its own).
 */
function contentText(type: string, values: readonly string[]): string | undefined {
  const typeBytes = Buffer.byteLength(type, 'utf8');
  if (typeBytes > 0x7f) return undefined;
  let set = '';
  let setBytes = 0;
  for (const value of values) {
    const bytes = Buffer.byteLength(value, 'utf8');
    setBytes += 2 + bytes;
    if (setBytes > 0x7f) return undefined;
    set += `\x04${String.fromCharCode(bytes)}${value}`;
  }
  return `\x04${String.fromCharCode(typeBytes)}${type}\x31${String.fromCharCode(setBytes)}${set}`;
}

/**
 * An attribute of an add request, BER-encoded once. ldapts encodes each value
 * through a general writer that moves every short sequence's content after
 * writing it and copies a fresh view each time: at thousands of adds a second
 * that was a good part of a create's CPU. An attribute of short values (most)
 * is kept as one string the writer encodes in one call (see contentText);
 * others as one buffer. The bytes are the same (encoded-attribute.test
 * compares them). ldapts also writes every request as JSON for its debug
 * log, wanted or not: toJSON keeps that to the attribute's name.
 */
export class EncodedAttribute extends Attribute {
  readonly #content: string | Buffer;

  constructor(type: string, values: readonly string[]) {
    super({ type, values: [...values] });
    this.#content = contentText(type, values) ?? encodeContent(type, values);
  }

  override write(writer: BerWriter): void {
    if (typeof this.#content === 'string') writer.writeString(this.#content, SEQUENCE);
    else writer.writeBuffer(this.#content, SEQUENCE);
  }

  toJSON(): { readonly type: string } {
    return { type: this.type };
  }
}

/** The attributes of a new entry (name -> string values) for an add request. */
export function encodedAttributes(body: Readonly<Record<string, readonly string[]>>): EncodedAttribute[] {
  const attributes: EncodedAttribute[] = [];
  for (const type of Object.keys(body)) attributes.push(new EncodedAttribute(type, body[type] ?? []));
  return attributes;
}
