import { AddRequest, Attribute, BerWriter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { EncodedAttribute, encodedAttributes } from './encoded-attribute.js';

const encode = (attribute: Attribute): Buffer => {
  const writer = new BerWriter();
  attribute.write(writer);
  return writer.buffer;
};

describe('EncodedAttribute', () => {
  const cases: [string, string[]][] = [
    ['cn', ['Ada Lovelace']],
    ['objectClass', ['top', 'person', 'organizationalPerson', 'inetOrgPerson']],
    ['description', []],
    ['displayName', ['Zoë Ångström ✓ 😀']],
    ['description', ['x'.repeat(127), 'y'.repeat(128), 'z'.repeat(255), 'w'.repeat(256)]],
    ['jpegPhotoText', ['q'.repeat(70_000)]],
    ['sn', ['']],
  ];

  it('encodes exactly the bytes ldapts writes for the same attribute', () => {
    for (const [type, values] of cases) {
      expect(encode(new EncodedAttribute(type, values)).equals(encode(new Attribute({ type, values })))).toBe(true);
    }
  });

  it('encodes the same bytes on both sides of the short-length limit (one string up to 127 bytes inside, one buffer above)', () => {
    const around: [string, string[]][] = [
      // A SET of one value: 2 octets of tag and length, then the value.
      ['cn', ['a'.repeat(125)]], ['cn', ['a'.repeat(126)]],
      ['cn', ['é'.repeat(62)]], ['cn', ['é'.repeat(62) + 'a']], ['cn', ['é'.repeat(63)]],
      ['mail', ['x'.repeat(60), 'y'.repeat(61)]], ['mail', ['x'.repeat(61), 'y'.repeat(61)]],
      ['t'.repeat(127), ['v']], ['t'.repeat(128), ['v']],
      // Lone surrogates next to each other across values, and at a value's ends.
      ['cn', ['a\uD800', '\uDC00b', '\uD83D', '\uDE00']], ['cn', ['\uDFFF', '\uD800']],
      ['cn', ['😀'.repeat(31)]], ['cn', ['😀'.repeat(32)]],
    ];
    for (const [type, values] of around) {
      expect(encode(new EncodedAttribute(type, values)).equals(encode(new Attribute({ type, values }))), `${type.slice(0, 8)} ${JSON.stringify(values).slice(0, 40)}`).toBe(true);
    }
  });

  it('makes the same add request bytes as plain attributes, and a small debug JSON', () => {
    const body = Object.fromEntries(cases.slice(0, 5));
    const plain = new AddRequest({ messageId: 7, dn: 'uid=ada,ou=people,dc=example,dc=com', attributes: Object.entries(body).map(([type, values]) => new Attribute({ type, values })) });
    const fast = new AddRequest({ messageId: 7, dn: 'uid=ada,ou=people,dc=example,dc=com', attributes: encodedAttributes(body) });
    expect(fast.write().equals(plain.write())).toBe(true);
    expect(JSON.stringify(fast.attributes)).toBe(JSON.stringify(Object.keys(body).map((type) => ({ type }))));
    expect(fast.attributes.map((a) => [a.type, a.values])).toEqual(Object.entries(body));
  });
});
