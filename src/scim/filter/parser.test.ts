import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { formatFilter } from './format.js';
import { MAX_FILTER_DEPTH, parseFilter } from './parser.js';

const roundTrip = (filter: string): string => formatFilter(parseFilter(filter));

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  const examples: readonly (readonly [string, string])[] = [
    ['userName eq "bjensen"', 'userName eq "bjensen"'],
    ['name.familyName co "O\'Malley"', 'name.familyName co "O\'Malley"'],
    ['userName sw "J"', 'userName sw "J"'],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'],
    ['title pr', 'title pr'],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'meta.lastModified gt "2011-05-13T04:42:34Z"'],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', 'meta.lastModified ge "2011-05-13T04:42:34Z"'],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', 'meta.lastModified lt "2011-05-13T04:42:34Z"'],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', 'meta.lastModified le "2011-05-13T04:42:34Z"'],
    ['title pr and userType eq "Employee"', '(title pr and userType eq "Employee")'],
    ['title pr or userType eq "Intern"', '(title pr or userType eq "Intern")'],
    [
      'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
      'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    ],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      '(userType eq "Employee" and (emails co "example.com" or emails.value co "example.org"))',
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      '(userType ne "Employee" and not ((emails co "example.com" or emails.value co "example.org")))',
    ],
    ['userType eq "Employee" and (emails.type eq "work")', '(userType eq "Employee" and emails.type eq "work")'],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      '(userType eq "Employee" and emails[(type eq "work" and value co "@example.com")])',
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      '(emails[(type eq "work" and value co "@example.com")] or ims[(type eq "xmpp" and value co "@foo.com")])',
    ],
  ];
  it.each(examples)('%s', (filter, expected) => {
    expect(roundTrip(filter)).toBe(expected);
  });

  it('splits a schema-qualified path at the last colon, keeping the dots of the URN', () => {
    const node = parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName eq "x"');
    expect(node).toMatchObject({
      kind: 'compare',
      path: { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', name: 'manager', subAttribute: 'displayName' },
    });
  });
});

describe('parseFilter: precedence and grouping', () => {
  it('binds and tighter than or', () => {
    expect(roundTrip('a pr or b pr and c pr')).toBe('(a pr or (b pr and c pr))');
    expect(roundTrip('a pr and b pr or c pr')).toBe('((a pr and b pr) or c pr)');
    expect(roundTrip('a pr and b pr or c pr and d pr')).toBe('((a pr and b pr) or (c pr and d pr))');
  });
  it('groups left to right', () => {
    expect(roundTrip('a pr or b pr or c pr')).toBe('((a pr or b pr) or c pr)');
  });
  it('lets parentheses override', () => {
    expect(roundTrip('(a pr or b pr) and c pr')).toBe('((a pr or b pr) and c pr)');
    expect(roundTrip('not (a pr or b pr) and c pr')).toBe('(not ((a pr or b pr)) and c pr)');
  });
  it('reads operators and keywords in any case, keeping names as written', () => {
    expect(roundTrip('UserName EQ "x" AND Title PR OR NOT (a Pr)')).toBe('((UserName eq "x" and Title pr) or not (a pr))');
  });
  it('reads JSON values', () => {
    expect(parseFilter('a eq "q\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"')).toMatchObject({ value: 'q"\\/\b\f\n\r\té' });
    expect(parseFilter('a eq -1.5e3')).toMatchObject({ value: -1500 });
    expect(parseFilter('a eq 0')).toMatchObject({ value: 0 });
    expect(parseFilter('a eq TRUE')).toMatchObject({ value: true });
    expect(parseFilter('a eq false')).toMatchObject({ value: false });
    expect(parseFilter('a eq null')).toMatchObject({ value: null });
  });
  it('accepts keywords as attribute names where they cannot be keywords', () => {
    expect(roundTrip('not eq "x" and and pr')).toBe('(not eq "x" and and pr)');
  });
  it('accepts $ref', () => {
    expect(roundTrip('members[$ref eq "x"]')).toBe('members[$ref eq "x"]');
  });
});

describe('parseFilter: errors', () => {
  const errors: readonly (readonly [string, number, RegExp])[] = [
    ['', 0, /empty filter/],
    ['   ', 3, /empty filter/],
    ['userName', 8, /expected an operator .* found the end/],
    ['userName eqq "x"', 9, /found 'eqq'/],
    ['userName eq', 11, /expected a value/],
    ['userName eq bjensen', 12, /expected a value .* found 'bjensen'/],
    ['userName eq "bjensen', 12, /unterminated string/],
    ['userName eq "a\\qb"', 14, /invalid escape/],
    ['userName eq "\\u12G4"', 13, /invalid \\u escape/],
    ['userName eq "a\\u0000"', 14, /u0000 is not allowed/],
    ['userName eq 01', 12, /malformed number/],
    ['userName eq 1.', 12, /malformed number/],
    ['userName eq "a" and', 19, /expected an attribute name, found the end/],
    ['userName eq "a" xor b pr', 16, /expected 'and', 'or' or the end .* found 'xor'/],
    ['(userName pr', 12, /expected '\)' to close the '\(' at offset 0/],
    ['userName pr)', 11, /found '\)'/],
    ['emails[type eq "work"', 21, /expected '\]' to close the '\[' at offset 6/],
    ['emails[type eq "work"].value eq "x"', 22, /unexpected character '\.'/],
    ['emails[ims[type pr]]', 10, /value paths cannot be nested/],
    ['not userName pr', 4, /expected '\(' after 'not'/],
    ['userName eq "a" & b pr', 16, /unexpected character '&'/],
    ['name..familyName pr', 5, /invalid sub-attribute/],
    ['a.b.c pr', 0, /too many '\.'/],
    ['emails.value[type pr]', 0, /needs a plain attribute/],
    ['eq eq eq', 6, /expected a value/],
  ];
  it.each(errors)('%j at offset %i', (filter, offset, message) => {
    let caught: unknown;
    try {
      parseFilter(filter);
    } catch (error) {
      caught = error;
    }
    expect(isRosterError(caught, 'request.invalid')).toBe(true);
    const error = caught as Error & { details?: Record<string, unknown> };
    expect(error.details).toEqual({ scimType: 'invalidFilter', offset });
    expect(error.message).toContain(`at offset ${offset}`);
    expect(error.message).toMatch(message);
  });

  it('refuses nesting deeper than the limit instead of exhausting the stack', () => {
    const deep = `${'('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`;
    expect(() => parseFilter(deep)).toThrowError(/nested deeper/);
    const fine = `${'('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}`;
    expect(roundTrip(fine)).toBe('a pr');
  });

  it('refuses an over-long filter', () => {
    expect(() => parseFilter(`a eq "${'x'.repeat(20_000)}"`)).toThrowError(/longer than/);
  });
});
