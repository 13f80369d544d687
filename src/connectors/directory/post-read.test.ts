import { BerWriter } from 'ldapts';
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
