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

  it('makes the same add request bytes as plain attributes, and a small debug JSON', () => {
    const body = Object.fromEntries(cases.slice(0, 5));
    const plain = new AddRequest({ messageId: 7, dn: 'uid=ada,ou=people,dc=example,dc=com', attributes: Object.entries(body).map(([type, values]) => new Attribute({ type, values })) });
    const fast = new AddRequest({ messageId: 7, dn: 'uid=ada,ou=people,dc=example,dc=com', attributes: encodedAttributes(body) });
    expect(fast.write().equals(plain.write())).toBe(true);
    expect(JSON.stringify(fast.attributes)).toBe(JSON.stringify(Object.keys(body).map((type) => ({ type }))));
    expect(fast.attributes.map((a) => [a.type, a.values])).toEqual(Object.entries(body));
  });
});
