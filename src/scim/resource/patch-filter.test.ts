import { describe, expect, it } from 'vitest';
import { attribute, parseFilter } from '../filter/index.js';
import { compileElementFilter, filterTemplate } from './patch-filter.js';
import { scimTypeOf } from './patch-test-schemas.js';

/** An element type with one sub-attribute of every kind. */
const THING = attribute('things', 'complex', {
  multiValued: true,
  subAttributes: [
    attribute('value', 'string'),
    attribute('code', 'string', { caseExact: true }),
    attribute('type', 'string'),
    attribute('primary', 'boolean'),
    attribute('rank', 'integer'),
    attribute('weight', 'decimal'),
    attribute('since', 'dateTime'),
    attribute('aliases', 'string', { multiValued: true }),
    attribute('$ref', 'reference', { caseExact: true }),
  ],
});
const ELEMENT = {
  value: 'Alice@Example.com',
  code: 'AbC',
  type: 'work',
  primary: true,
  rank: 3,
  weight: 2.5,
  since: '2026-01-02T03:04:05.000Z',
  aliases: ['Ally', 'Al'],
};
const matches = (filter: string, element: unknown = ELEMENT): boolean => compileElementFilter(parseFilter(filter), THING)(element);

describe('compileElementFilter', () => {
  it.each<[string, boolean]>([
    ['value eq "alice@example.com"', true],
    ['value ne "alice@example.com"', false],
    ['value co "EXAMPLE"', true],
    ['value sw "alice@"', true],
    ['value ew ".COM"', true],
    ['value ew ".org"', false],
    ['code eq "AbC"', true],
    ['code eq "abc"', false],
    ['code co "bC"', true],
    ['code sw "ab"', false],
    ['code gt "AbB"', true],
    ['code lt "AbB"', false],
    ['type ge "work"', true],
    ['type le "WORJ"', false],
    ['primary eq true', true],
    ['primary eq "True"', true],
    ['primary ne false', true],
    ['rank gt 2', true],
    ['rank ge 3', true],
    ['rank lt 3', false],
    ['rank le 3', true],
    ['rank eq 3.0', true],
    ['weight lt 2.6', true],
    ['since eq "2026-01-02T05:04:05+02:00"', true],
    ['since gt "2026-01-02"', true],
    ['since lt "2026-01-02T03:04:05Z"', false],
    ['since ge "2026-01-02T03:04:05Z"', true],
    ['aliases eq "al"', true],
    ['aliases sw "X"', false],
    ['value pr', true],
    ['$ref pr', false],
    ['$ref eq null', true],
    ['value ne null', true],
    ['value eq null', false],
    ['type eq "work" and rank gt 2', true],
    ['type eq "home" or rank gt 2', true],
    ['type eq "home" or (rank gt 5 and primary eq true)', false],
    ['not (type eq "home")', true],
    ['not (type eq "work" and primary eq true)', false],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('matches no operator on an absent value, ne included', () => {
    expect(matches('type ne "home"', { value: 'x' })).toBe(false);
    expect(matches('not (type eq "home")', { value: 'x' })).toBe(true);
    expect(matches('value eq "x"', 'not an object')).toBe(false);
  });

  it('does not count "", [] or null as present', () => {
    expect(matches('value pr', { value: '' })).toBe(false);
    expect(matches('aliases pr', { aliases: [] })).toBe(false);
    expect(matches('value pr', { value: null })).toBe(false);
  });

  it('orders strings by code point', () => {
    // U+FF5E sorts before U+1F600 by code point, though not by UTF-16 unit.
    expect(matches('code lt "\u{1F600}"', { code: '\uFF5E' })).toBe(true);
  });

  it.each([
    'unknown eq "x"',
    'primary gt true',
    'rank co "1"',
    'since sw "2026"',
    'rank eq "three"',
    'since eq "yesterday"',
    'value gt null',
    'urn:x:value eq "a"',
    'value.sub eq "a"',
  ])('refuses %s (invalidPath)', (filter) => {
    expect(scimTypeOf(() => matches(filter))).toBe('invalidPath');
  });

  it('compares the element itself as "value" for a simple multi-valued attribute', () => {
    const tags = attribute('tags', 'string', { multiValued: true });
    expect(compileElementFilter(parseFilter('value eq "RED"'), tags)('red')).toBe(true);
    expect(scimTypeOf(() => compileElementFilter(parseFilter('type eq "x"'), tags))).toBe('invalidPath');
  });
});

describe('filterTemplate', () => {
  it('turns eq terms joined by and into an element', () => {
    expect(filterTemplate(parseFilter('type eq "work" and primary eq "True"'), THING)).toEqual({ type: 'work', primary: true });
  });

  it.each(['type eq "work" or type eq "home"', 'type ne "work"', 'not (type eq "work")', 'type eq null', 'value pr'])('gives nothing for %s', (filter) => {
    expect(filterTemplate(parseFilter(filter), THING)).toBeUndefined();
  });
});
