import { describe, expect, it } from 'vitest';
import { matchingKey, MatchingRules } from './matching.js';
import { attributeChanges, entryValues } from './normalise.js';
import { equalityTable } from './schema.js';

/** Definitions as slapd publishes them (cn=Subschema attributeTypes), trimmed. */
const DEFINITIONS = [
  "( 2.5.4.41 NAME 'name' DESC 'RFC4519: common supertype of name attributes' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
  "( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s) for which the entity is known by' SUP name )",
  "( 2.5.4.4 NAME ( 'sn' 'surname' ) DESC 'RFC2256: last (family) name(s) for which the entity is known by' SUP name )",
  "( 1.3.6.1.4.1.250.1.57 NAME 'labeledURI' DESC 'RFC2079: Uniform Resource Identifier with optional label' EQUALITY caseExactMatch SUBSTR caseExactSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 2.5.4.34 NAME 'seeAlso' DESC 'RFC4519: DN of related object' SUP distinguishedName )",
  "( 2.5.4.49 NAME 'distinguishedName' DESC 'RFC4519: common supertype of DN attributes' EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )",
  // A custom type that names its rule by OID, one that inherits by OID, one whose DESC holds the keyword, and a loop.
  "( 1.3.6.1.4.1.99999.1 NAME 'exampleCode' EQUALITY 2.5.13.5 SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 1.3.6.1.4.1.99999.2 NAME 'exampleSubCode' SUP 1.3.6.1.4.1.99999.1 )",
  "( 1.3.6.1.4.1.99999.3 NAME 'exampleNote' DESC 'no EQUALITY caseIgnoreMatch here' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )",
  "( 1.3.6.1.4.1.99999.4 NAME 'loopA' SUP loopB )",
  "( 1.3.6.1.4.1.99999.5 NAME 'loopB' SUP loopA )",
];

describe('equality rules from the subschema', () => {
  const table = equalityTable(DEFINITIONS);

  it('gives each type its own rule or its SUP\'s, under every name and its OID', () => {
    expect(table.get('cn')).toBe('caseignorematch');
    expect(table.get('commonname')).toBe('caseignorematch');
    expect(table.get('surname')).toBe('caseignorematch');
    expect(table.get('2.5.4.4')).toBe('caseignorematch');
    expect(table.get('labeleduri')).toBe('caseexactmatch');
    expect(table.get('seealso')).toBe('distinguishednamematch');
    expect(table.get('examplesubcode')).toBe('2.5.13.5');
  });

  it('reads no keyword inside a description, and a type without a rule (or in a SUP loop) has none', () => {
    expect(table.has('examplenote')).toBe(false);
    expect(table.has('loopa')).toBe(false);
  });
});

describe('values under a matching rule', () => {
  it('folds case and insignificant spaces for caseIgnore rules, spaces only for caseExact ones', () => {
    expect(matchingKey('caseignorematch', '  Eng   Ops ')).toBe(matchingKey('caseignorematch', 'eng ops'));
    expect(matchingKey('caseignoreia5match', 'A@Example.COM')).toBe('a@example.com');
    expect(matchingKey('caseexactmatch', 'Eng')).not.toBe(matchingKey('caseexactmatch', 'eng'));
    expect(matchingKey('2.5.13.5', 'a  b')).toBe('a b');
  });

  it('compares DNs, integers and telephone numbers by what they name', () => {
    expect(matchingKey('distinguishednamematch', 'UID=A, OU=People,dc=x')).toBe(matchingKey('distinguishednamematch', 'uid=a,ou=people,dc=x'));
    expect(matchingKey('integermatch', '+0042')).toBe('42');
    expect(matchingKey('integermatch', '-0')).toBe('0');
    expect(matchingKey('telephonenumbermatch', '+1 555-0100')).toBe(matchingKey('telephonenumbermatch', '+15550100'));
    expect(matchingKey(undefined, 'Eng')).not.toBe(matchingKey(undefined, 'eng'));
  });

  it('keeps the first spelling of each value, as the server\'s rules say, else as the standard schemas say', () => {
    const server = new MatchingRules();
    server.useServer(equalityTable(DEFINITIONS));
    expect(server.distinct('cn', ['Eng', 'eng', 'ENG', 'Ops'])).toEqual(['Eng', 'Ops']);
    expect(server.distinct('labeledURI', ['http://x/A', 'http://x/a'])).toEqual(['http://x/A', 'http://x/a']);
    // Not in this server's schema: no rule, so only the very same text is one value.
    expect(server.distinct('departmentNumber', ['Eng', 'eng'])).toEqual(['Eng', 'eng']);
    const builtIn = new MatchingRules();
    expect(builtIn.distinct('departmentNumber', ['Eng', 'eng'])).toEqual(['Eng']);
    expect(builtIn.distinct('surname', ['Smith', 'SMITH'])).toEqual(['Smith']);
    expect(builtIn.distinct('memberUid', ['ana', 'Ana'])).toEqual(['ana', 'Ana']);
  });

  it('a held value is no change for the wanted ones it stands for; a respelled one is', () => {
    const rules = new MatchingRules();
    const same = (attribute: string, held: readonly string[], wanted: readonly string[]) => rules.sameValues(attribute, held, wanted);
    const current = entryValues({ departmentNumber: ['Eng'], sn: ['Mcdonald'], manager: ['uid=boss,ou=people,dc=x'], uidNumber: ['42'] });
    const desired = new Map<string, string[]>([
      ['departmentNumber', ['Eng', 'eng', 'ENG']], ['sn', ['McDonald']], ['manager', ['UID=Boss, ou=People,dc=x']], ['uidNumber', ['+042']],
    ]);
    // The case HR corrects is written (the server keeps the spelling it is given); the rest stands.
    expect(attributeChanges(current, desired, same)).toEqual([{ attribute: 'sn', values: ['McDonald'] }]);
    expect(rules.sameRosterValue('departmentNumber', ['Eng', 'eng'], 'Eng')).toBe(true);
    expect(rules.sameRosterValue('departmentNumber', ['Eng', 'Ops'], 'Eng')).toBe(false);
  });
});
