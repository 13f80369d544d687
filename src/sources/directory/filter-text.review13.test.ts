import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { filterForLdapts } from './filter-text.js';

/** The bytes ldapts sends for the value of a one-assertion filter. */
function sentValue(filter: string): Buffer {
  const parsed = FilterParser.parseString(filter) as unknown as { value: string | Buffer };
  return Buffer.isBuffer(parsed.value) ? parsed.value : Buffer.from(parsed.value, 'utf8');
}

describe('filterForLdapts (review 13)', () => {
  it('ldapts alone sends other bytes for an escaped UTF-8 value (why this exists)', () => {
    expect(sentValue(String.raw`(ou=Z\c3\bcrich)`)).not.toEqual(Buffer.from('Zürich', 'utf8'));
  });

  it('turns escaped UTF-8 bytes into the characters, so ldapts sends the bytes the filter names', () => {
    const filter = filterForLdapts('s', String.raw`(ou=Z\c3\bcrich)`);
    expect(filter).toBe('(ou=Zürich)');
    expect(sentValue(filter)).toEqual(Buffer.from('Zürich', 'utf8'));
    expect(filterForLdapts('s', String.raw`(cn=\E2\82\AC \f0\9f\98\80)`)).toBe('(cn=€ 😀)');
  });

  it('keeps escapes of ASCII bytes as written, so they stay data: parentheses, star, backslash, NUL', () => {
    const filter = String.raw`(&(cn=a\2a\28b\29\5c\00)(ou=R\26D))`;
    expect(filterForLdapts('s', filter)).toBe(filter);
    expect(filterForLdapts('s', String.raw`(cn=\28\c3\a9\29)`)).toBe(String.raw`(cn=\28é\29)`);
    expect(filterForLdapts('s', '(objectClass=inetOrgPerson)')).toBe('(objectClass=inetOrgPerson)');
  });

  it('refuses escaped bytes that are not UTF-8 text, naming the source', () => {
    expect(() => filterForLdapts('corp', String.raw`(objectGUID=\a1\3c\4f)`)).toThrow(expect.objectContaining({ code: 'config.invalid', message: expect.stringContaining('"corp"') }));
    expect(() => filterForLdapts('corp', String.raw`(cn=\c3)`)).toThrow(/not UTF-8/);
    expect(() => filterForLdapts('corp', String.raw`(cn=\c3\28)`)).toThrow(/not UTF-8/);
  });

  it('refuses text that is not one filter, which an incremental pass\'s (&...) would otherwise have taken', () => {
    expect(() => filterForLdapts('corp', '(a=b)(c=d)')).toThrow(expect.objectContaining({ code: 'config.invalid', message: expect.stringContaining('is not one LDAP filter') }));
    expect(filterForLdapts('corp', '(|(a=b)(c=d))')).toBe('(|(a=b)(c=d))');
  });
});
