import { caseExactKey, caseIgnoreKey } from '../../core/string-prep.js';
import { normaliseDn } from './dn.js';
import { ldapPrimaryName } from './mapping.js';
import { STANDARD_DN_ATTRIBUTES, toLdapValues } from './normalise.js';

/**
 * Equality matching rules (RFC 4517): which values of an attribute a
 * directory holds as one value. A server refuses an add or replace that
 * carries two values equal under the attribute's EQUALITY rule (slapd:
 * "attribute 'departmentNumber' provided more than once"), so Roster writes
 * the first spelling of each; which rule an attribute has comes from the
 * server's subschema (schema.ts equalityTable), else from the standard
 * schemas' (BUILT_IN below).
 */

/** Rules named by OID in a definition (`EQUALITY 2.5.13.2`) -> their names, lower-cased. */
const RULE_NAMES: Readonly<Record<string, string>> = {
  '2.5.13.0': 'objectidentifiermatch', '2.5.13.1': 'distinguishednamematch', '2.5.13.2': 'caseignorematch',
  '2.5.13.5': 'caseexactmatch', '2.5.13.8': 'numericstringmatch', '2.5.13.11': 'caseignorelistmatch',
  '2.5.13.13': 'booleanmatch', '2.5.13.14': 'integermatch', '2.5.13.17': 'octetstringmatch',
  '2.5.13.20': 'telephonenumbermatch', '2.5.13.23': 'uniquemembermatch',
  '1.3.6.1.4.1.1466.109.114.1': 'caseexactia5match', '1.3.6.1.4.1.1466.109.114.2': 'caseignoreia5match',
};

/**
 * The standard schemas' rules (core, cosine, inetorgperson, nis), for a
 * server that does not publish its subschema (or does not let the bind DN
 * read it). Names lower-cased; aliases are found through ldapPrimaryName.
 */
const BUILT_IN: ReadonlyMap<string, string> = new Map([
  ...[...STANDARD_DN_ATTRIBUTES].map((name) => [name, 'distinguishednamematch'] as const),
  ['uniquemember', 'uniquemembermatch'],
  ...['cn', 'sn', 'givenname', 'initials', 'generationqualifier', 'name', 'l', 'st', 'street', 'o', 'ou', 'title',
    'description', 'businesscategory', 'postalcode', 'postofficebox', 'physicaldeliveryofficename', 'displayname',
    'employeetype', 'employeenumber', 'departmentnumber', 'preferredlanguage', 'carlicense', 'uid', 'roomnumber',
    'co', 'drink', 'host', 'buildingname', 'userclass', 'organizationalstatus', 'c',
  ].map((name) => [name, 'caseignorematch'] as const),
  ...['mail', 'dc', 'gecos', 'associateddomain'].map((name) => [name, 'caseignoreia5match'] as const),
  ...['homedirectory', 'loginshell', 'memberuid'].map((name) => [name, 'caseexactia5match'] as const),
  ['labeleduri', 'caseexactmatch'],
  ...['telephonenumber', 'mobile', 'pager', 'homephone', 'facsimiletelephonenumber'].map((name) => [name, 'telephonenumbermatch'] as const),
  ...['uidnumber', 'gidnumber'].map((name) => [name, 'integermatch'] as const),
  ['postaladdress', 'caseignorelistmatch'], ['homepostaladdress', 'caseignorelistmatch'],
]);

/** An integer's digits without a plus sign or leading zeros; anything else as it is. */
function integerKey(value: string): string {
  const text = value.trim();
  if (!/^[+-]?\d+$/.test(text)) return value;
  const digits = BigInt(text).toString();
  return digits === '-0' ? '0' : digits;
}

function dnKey(value: string): string {
  try {
    return normaliseDn(value);
  } catch {
    return value;
  }
}

/** One value as `rule` sees it: two values with the same key are one value to the server. No (or an unknown) rule: the value itself. */
export function matchingKey(rule: string | undefined, value: string): string {
  switch (rule === undefined ? undefined : RULE_NAMES[rule] ?? rule) {
    case 'caseignorematch': case 'caseignoreia5match': case 'caseignorelistmatch': case 'caseignoresubstringsmatch':
      return caseIgnoreKey(value);
    case 'caseexactmatch': case 'caseexactia5match':
      return caseExactKey(value);
    case 'telephonenumbermatch':
      return value.normalize('NFKC').replace(/[\s-]/g, '').toLowerCase();
    case 'numericstringmatch':
      return value.replace(/\s/g, '');
    case 'distinguishednamematch': case 'uniquemembermatch':
      return dnKey(value);
    case 'integermatch':
      return integerKey(value);
    case 'booleanmatch':
      return value.trim().toUpperCase();
    case 'objectidentifiermatch':
      return value.trim().toLowerCase();
    default:
      return value;
  }
}

/**
 * What counts as a change to write: the value as spelled, so a name whose
 * case or spacing HR corrects (`Mcdonald` -> `McDonald`) is written though
 * the server holds both as one value; but a DN or an integer by what it
 * names (a server stores a DN in its own form, `uid=a,ou=People` for
 * `uid=a, ou=People`, and the entry would be rewritten on every update).
 */
function spellingKey(rule: string | undefined, value: string): string {
  switch (rule === undefined ? undefined : RULE_NAMES[rule] ?? rule) {
    case 'distinguishednamematch': case 'uniquemembermatch': case 'integermatch':
      return matchingKey(rule, value);
    default:
      return value;
  }
}

/** The EQUALITY rules of one directory's attributes: the server's once read (useServer), else the standard schemas'. */
export class MatchingRules {
  #server: ReadonlyMap<string, string> | undefined;

  /** The server's own rules (schema.ts equalityTable), by every name of each type, lower-cased. */
  useServer(equality: ReadonlyMap<string, string>): void {
    this.#server = equality;
  }

  /** The attribute's EQUALITY rule, lower-cased; undefined when none is known (values then compare as they are). */
  ruleOf(attribute: string): string | undefined {
    const lower = attribute.toLowerCase();
    if (this.#server !== undefined) return this.#server.get(lower);
    return BUILT_IN.get(lower) ?? BUILT_IN.get(ldapPrimaryName(lower));
  }

  /** The values without a second one equal to an earlier one under the attribute's rule: the first spelling of each is kept. */
  distinct(attribute: string, values: readonly string[]): string[] {
    if (values.length < 2) return [...values];
    const rule = this.ruleOf(attribute);
    const seen = new Set<string>();
    return values.filter((value) => {
      const key = matchingKey(rule, value);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** A comparable form of one value (spellingKey): what attributeChanges compares held and wanted values by. */
  compareKey(attribute: string, value: string): string {
    return spellingKey(this.ruleOf(attribute), value);
  }

  /**
   * Whether the values held stand for the values wanted: the same set by
   * compareKey once the wanted ones are distinct under the rule (the server
   * kept one of `Eng`, `eng`, `ENG`: the first).
   */
  sameValues(attribute: string, held: readonly string[], wanted: readonly string[]): boolean {
    const key = (value: string) => this.compareKey(attribute, value);
    const left = new Set(held.map(key));
    const right = new Set(this.distinct(attribute, wanted).map(key));
    if (left.size !== right.size) return false;
    for (const value of left) if (!right.has(value)) return false;
    return true;
  }

  /** sameValues for Roster values (a string, a list, null) as written and as read back (Connector.sameValue). */
  sameRosterValue(attribute: string, written: unknown, held: unknown): boolean {
    return this.sameValues(attribute, toLdapValues(held), toLdapValues(written));
  }
}
