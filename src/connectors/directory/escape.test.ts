import { describe, expect, it } from 'vitest';
import { formatDn, isUnder, leafValue, normaliseDn, parentDn, parseDn, renderDnTemplate, sameDn } from './dn.js';
import { andFilter, equalityFilter, escapeDnValue, escapeFilterBytes, escapeFilterValue, isAttributeName } from './escape.js';

describe('escapeDnValue (RFC 4514)', () => {
  it.each([
    ['Smith, John', 'Smith\\2c John'],
    ['a+b', 'a\\2bb'],
    ['say "hi"', 'say \\22hi\\22'],
    ['back\\slash', 'back\\5cslash'],
    ['<tag>', '\\3ctag\\3e'],
    ['semi;colon', 'semi\\3bcolon'],
    ['x=y', 'x\\3dy'],
    ['#hash', '\\23hash'],
    ['mid#hash', 'mid#hash'],
    [' lead', '\\20lead'],
    ['trail ', 'trail\\20'],
    ['in side', 'in side'],
    ['nul\0byte', 'nul\\00byte'],
    ['Zoë', 'Zoë'],
    ['Łukasz', 'Łukasz'],
    ['李', '李'],
  ])('%j -> %j', (value, escaped) => {
    expect(escapeDnValue(value)).toBe(escaped);
  });

  it('never leaves a backslash right before a separating comma', () => {
    const dn = formatDn([[{ type: 'cn', value: 'ends with \\' }], [{ type: 'ou', value: 'people' }]]);
    expect(dn).toBe('cn=ends with \\5c,ou=people');
    expect(/\\,/.test(dn)).toBe(false);
  });

  it('round-trips every awkward value through parseDn', () => {
    const values = ['Smith, John', ' both ', '#1', 'a+b=c;d<e>f"g\\h', 'nul\0', 'Zoë Łukasz 李 🚀', "*)(uid=*))(|(uid=*"];
    for (const value of values) {
      const dn = formatDn([[{ type: 'uid', value }], ...parseDn('ou=people,dc=example,dc=com')]);
      const parsed = parseDn(dn);
      expect(parsed[0]?.[0]?.value).toBe(value);
      expect(parsed).toHaveLength(4);
    }
  });
});

describe('parseDn / normaliseDn', () => {
  it('reads both escape forms and multi-valued RDNs', () => {
    expect(parseDn('cn=Smith\\, John+uid=js,ou=People , dc=example')).toEqual([
      [{ type: 'cn', value: 'Smith, John' }, { type: 'uid', value: 'js' }],
      [{ type: 'ou', value: 'People' }],
      [{ type: 'dc', value: 'example' }],
    ]);
    expect(parseDn('cn=Zo\\c3\\ab')[0]?.[0]?.value).toBe('Zoë');
  });
  it('compares DNs regardless of case, spacing and escaping style', () => {
    expect(sameDn('CN=Smith\\, John,OU=People,DC=Example', 'cn=smith\\2c john, ou=people, dc=example')).toBe(true);
    expect(sameDn('uid=a+cn=b,dc=x', 'cn=B+uid=A,dc=x')).toBe(true);
    expect(sameDn('uid=a,dc=x', 'uid=b,dc=x')).toBe(false);
    expect(normaliseDn('UID=Zoë,DC=X')).toBe('uid=zoë,dc=x');
  });
  it('refuses malformed DNs', () => {
    expect(() => parseDn('no equals sign')).toThrow(/invalid DN/);
    expect(() => parseDn('cn=a,bad type!=x')).toThrow(/invalid DN/);
    expect(() => parseDn('cn=trailing\\')).toThrow(/invalid DN/);
  });
  it('knows parents and ancestry', () => {
    expect(parentDn('uid=a,ou=people,dc=x')).toBe('ou=people,dc=x');
    expect(isUnder('uid=a,OU=People,dc=x', 'ou=people,dc=x')).toBe(true);
    expect(isUnder('uid=a,ou=disabled,dc=x', 'ou=people,dc=x')).toBe(false);
    expect(leafValue('cn=Eng\\2c Ops,ou=groups')).toBe('Eng, Ops');
  });
});

describe('renderDnTemplate', () => {
  it('escapes every placeholder value and keeps the fixed part', () => {
    const result = renderDnTemplate('uid={uid},ou={department},dc=example,dc=com', (name) => ({ uid: 'o\'brien, "jr"', department: ' Sales+Ops' } as Record<string, string>)[name]);
    expect(result).toEqual({ dn: 'uid=o\'brien\\2c \\22jr\\22,ou=\\20Sales\\2bOps,dc=example,dc=com' });
  });
  it('reports missing placeholders instead of making a DN', () => {
    expect(renderDnTemplate('uid={uid},ou={department},dc=x', (name) => (name === 'uid' ? 'a' : undefined))).toEqual({ missing: ['department'] });
  });
  it('renders what escaping each value into the template, parsing and formatting would give', () => {
    // The template is parsed once and cached; the definition it must agree with is the general recipe.
    const byRecipe = (template: string, values: Record<string, string>) =>
      formatDn(parseDn(template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_, name: string) => escapeDnValue(values[name] ?? ''))));
    const templates = [
      'uid={uid},ou=people,dc=example,dc=com',
      'cn={givenName} {sn},ou={department},dc=example,dc=com',
      'cn={givenName}+uid={uid}, ou = R\\2cD ,dc=example,dc=com',
      'CN={cn},OU=Sales\\, EMEA,DC=example,DC=test',
      'cn=x{uid}y,dc=x',
      'uid={uid}',
      // The marks compiling puts in, written hex-escaped: they parse into the same characters.
      'cn=\\ee\\80\\800\\ee\\80\\81{uid},dc=x',
      'cn={uid}\\ee\\80\\81,dc=x',
      'cn=\\{uid},dc=x',
    ];
    const samples: Record<string, string>[] = [
      { uid: 'zoe', givenName: 'Zoë', sn: 'Müller', department: 'R&D', cn: '李 小龙' },
      { uid: '#hash', givenName: ' lead', sn: 'trail ', department: 'a,b+c;d<e>f"g\\h=i', cn: 'Smith, John +"\\<>;=#x' },
      { uid: 'x,ou=admins,dc=x', givenName: 'Łukasz', sn: '#', department: ' ', cn: '\0nul' },
      // Lone surrogates: the general way's parse turns each into U+FFFD.
      { uid: 'a\uD800b', givenName: '\uDC00', sn: 'x\uDBFF', department: '\uD83D\uDE00\uD83D', cn: '#\uDFFF' },
    ];
    for (const template of templates) {
      for (const values of samples) {
        expect(renderDnTemplate(template, (name) => values[name]), `${template} with ${JSON.stringify(values)}`).toEqual({ dn: byRecipe(template, values) });
      }
    }
  });
  it('falls back to the general way for templates it cannot parse with placeholders in them', () => {
    expect(renderDnTemplate('{type}=x,dc=y', () => 'cn')).toEqual({ dn: 'cn=x,dc=y' });
    expect(renderDnTemplate('cn=\uE000{uid}\uE001,dc=y', () => 'a')).toEqual({ dn: 'cn=\uE000a\uE001,dc=y' });
    expect(renderDnTemplate('uid={uid},ou=people,dc=x', (name) => (name === 'uid' ? '' : 'v'))).toEqual({ missing: ['uid'] });
  });
  it('an injection value stays inside its RDN', () => {
    const result = renderDnTemplate('uid={uid},ou=people,dc=x', () => 'x,ou=admins,dc=x');
    expect('dn' in result && parseDn(result.dn)).toHaveLength(3);
    expect('dn' in result && parseDn(result.dn)[0]?.[0]?.value).toBe('x,ou=admins,dc=x');
  });
});

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes * ( ) \\ and NUL, keeps UTF-8 text', () => {
    expect(escapeFilterValue('a*b(c)d\\e\0f')).toBe('a\\2ab\\28c\\29d\\5ce\\00f');
    expect(escapeFilterValue('Zoë Łukasz 李')).toBe('Zoë Łukasz 李');
  });
  it('makes an LDAP injection harmless', () => {
    const filter = equalityFilter('uid', '*)(uid=*))(|(uid=*');
    expect(filter).toBe('(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a)');
    // One filter item: the only unescaped parentheses are the outer pair.
    expect(filter.replace(/\\[0-9a-f]{2}/g, '').match(/[()]/g)).toEqual(['(', ')']);
  });
  it('escapes binary values byte by byte', () => {
    expect(escapeFilterBytes(Uint8Array.from([0x00, 0x2a, 0xff]))).toBe('\\00\\2a\\ff');
  });
  it('refuses attribute names that could carry syntax', () => {
    expect(isAttributeName('mail')).toBe(true);
    expect(isAttributeName('2.5.4.3')).toBe(true);
    expect(isAttributeName('mail)(uid=*')).toBe(false);
    expect(() => equalityFilter('uid=*)(', 'x')).toThrow(/attribute name/);
    expect(andFilter('(a=1)', '(b=2)')).toBe('(&(a=1)(b=2))');
  });
});
