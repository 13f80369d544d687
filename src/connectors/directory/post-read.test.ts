import { Attribute, BerReader, BerWriter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { parsePostReadValue, PostReadControl } from './post-read.js';

/** A SearchResultEntry as a server puts it in the Post-Read response control value. */
function searchResultEntry(dn: string, attributes: Record<string, string[]>): Buffer {
  const writer = new BerWriter();
  writer.startSequence(0x64);
  writer.writeString(dn);
  writer.startSequence();
  for (const [type, values] of Object.entries(attributes)) {
    writer.startSequence();
    writer.writeString(type);
    writer.startSequence(0x31);
    for (const value of values) writer.writeString(value);
    writer.endSequence();
    writer.endSequence();
  }
  writer.endSequence();
  writer.endSequence();
  return writer.buffer;
}

describe('Post-Read control (RFC 4527)', () => {
  it('writes the OID, non-critical, and the attribute selection', () => {
    const writer = new BerWriter();
    new PostReadControl(['entryUUID', 'mail']).write(writer);
    const bytes = writer.buffer.toString('latin1');
    expect(bytes).toContain('1.3.6.1.1.13.2');
    expect(bytes).toContain('entryUUID');
    expect(bytes).toContain('mail');
    // BOOLEAN FALSE: the server may ignore the control and still do the add.
    expect(writer.buffer.includes(Buffer.from([0x01, 0x01, 0x00]))).toBe(true);
  });

  it('encodes each attribute list as its own selection, the same bytes every time', () => {
    const encode = (attributes: string[]) => {
      const writer = new BerWriter();
      new PostReadControl(attributes).write(writer);
      return writer.buffer;
    };
    const uuid = encode(['entryUUID']);
    expect(encode(['entryUUID']).equals(uuid)).toBe(true);
    const two = encode(['entryUUID', 'mail']);
    expect(two.equals(uuid)).toBe(false);
    expect(two.toString('latin1')).toContain('mail');
    expect(uuid.toString('latin1')).not.toContain('mail');
    // The selection: SEQUENCE { OCTET STRING "entryUUID" } inside the control value's OCTET STRING.
    expect(uuid.includes(Buffer.from([0x04, 0x0d, 0x30, 0x0b, 0x04, 0x09, ...Buffer.from('entryUUID')]))).toBe(true);
  });

  it('writes the whole control once per attribute list: the bytes of the general encoding, critical or not', () => {
    const general = (attributes: string[], critical: boolean) => {
      const selection = new BerWriter();
      selection.startSequence();
      for (const attribute of attributes) selection.writeString(attribute);
      selection.endSequence();
      const writer = new BerWriter();
      writer.startSequence();
      writer.writeString(PostReadControl.type);
      writer.writeBoolean(critical);
      writer.writeBuffer(selection.buffer, 0x04);
      writer.endSequence();
      return writer.buffer;
    };
    for (const attributes of [['entryUUID'], ['entryUUID', 'uid', 'mail'], [], ['x'.repeat(200)]]) {
      for (const critical of [false, true]) {
        const control = new PostReadControl(attributes);
        control.critical = critical;
        const writer = new BerWriter();
        control.write(writer);
        expect(writer.buffer.equals(general(attributes, critical))).toBe(true);
      }
    }
  });

  it('reads values as ldapts reads a search entry: strict UTF-8 without a leading BOM, else the bytes as UTF-8', () => {
    const value = (bytes: number[]) => Buffer.from(bytes);
    const cases: [string, Buffer[]][] = [
      ['cn', [Buffer.from('\uFEFFZoë', 'utf8')]],
      ['cn', [value([0xef, 0xbb, 0xbf, 0xff])]],
      ['cn', [value([0xc3, 0x28]), Buffer.from('plain')]],
      ['cn', [value([0xed, 0xa0, 0x80])]],
      ['userCertificate;binary', [Buffer.from('\uFEFFx', 'utf8'), value([0xff, 0x00])]],
      ['description', []],
      ['mail', [Buffer.alloc(0)]],
    ];
    for (const [type, values] of cases) {
      const writer = new BerWriter();
      writer.startSequence(0x64);
      writer.writeString('uid=a,dc=x');
      writer.startSequence();
      writer.startSequence();
      writer.writeString(type);
      writer.startSequence(0x31);
      for (const bytes of values) writer.writeBuffer(bytes, 0x04);
      writer.endSequence();
      writer.endSequence();
      writer.endSequence();
      writer.endSequence();
      // What the code before did: ldapts's Attribute.parse, Buffers then read as UTF-8.
      const reader = new BerReader(writer.buffer);
      reader.readSequence(0x64);
      reader.readString();
      reader.readSequence();
      const attribute = new Attribute();
      attribute.parse(reader);
      const expected = attribute.values.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
      expect(parsePostReadValue(writer.buffer)?.[type], type).toEqual(expected.length === 1 ? expected[0] : expected);
    }
  });

  it('reads the entry from the response value, one value as a string, several as a list', () => {
    const entry = parsePostReadValue(searchResultEntry('uid=zoë,ou=people,dc=x', {
      entryUUID: ['6f1c7a52-0d1e-4c39-9f53-2f7f1d1b8a10'], objectClass: ['top', 'inetOrgPerson'], cn: ['Zoë Ångström'],
    }));
    expect(entry).toEqual({
      dn: 'uid=zoë,ou=people,dc=x', entryUUID: '6f1c7a52-0d1e-4c39-9f53-2f7f1d1b8a10', objectClass: ['top', 'inetOrgPerson'], cn: 'Zoë Ångström',
    });
  });

  it('has no entry when the server sent no response control', () => {
    expect(new PostReadControl(['entryUUID']).entry).toBeUndefined();
    expect(parsePostReadValue(Buffer.alloc(0))).toBeUndefined();
  });
});
