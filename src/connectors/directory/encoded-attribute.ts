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
 * An attribute of an add request, BER-encoded once into one buffer. ldapts
 * encodes each value through a general writer that moves every short
 * sequence's content after writing it and copies a fresh view each time: at
 * thousands of adds a second that was a good part of a create's CPU. The
 * bytes are the same (encoded-attribute.test compares them). ldapts also
 * writes every request as JSON for its debug log, wanted or not: toJSON keeps
 * that to the attribute's name.
 */
export class EncodedAttribute extends Attribute {
  readonly #content: Buffer;

  constructor(type: string, values: readonly string[]) {
    super({ type, values: [...values] });
    this.#content = encodeContent(type, values);
  }

  override write(writer: BerWriter): void {
    writer.writeBuffer(this.#content, SEQUENCE);
  }

  toJSON(): { readonly type: string } {
    return { type: this.type };
  }
}

/** The attributes of a new entry (name -> string values) for an add request. */
export function encodedAttributes(body: Readonly<Record<string, readonly string[]>>): EncodedAttribute[] {
  return Object.entries(body).map(([type, values]) => new EncodedAttribute(type, values));
}
