import { EqualityFilter, FilterParser, type Filter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { dnInDomain } from '../ad/moved-away.js';
import type { ClientPool } from './pool.js';
import { uniqueMemberFilters } from './unique-member.js';
import { equalityFilter } from './escape.js';
import { holdersFilter } from '../../sources/directory/mapping.js';
import { reportsOfRekeyed } from '../../sources/directory/ad-gone.js';
import type { DirectoryEntry } from '../../sources/directory/values.js';

/** Values from HR or from a directory that would change a filter or a DN if they were not escaped. */
const HOSTILE = ['*', 'a)(uid=*', 'x*)(|(objectClass=*', 'cn=a\\,b)(cn=*,dc=x', 'back\\slash', 'nul\u0000byte', 'Zürich (HQ)'];

/** Every equality assertion in a parsed filter, as [attribute, value]. */
function equalities(filter: Filter): [string, string][] {
  if (filter instanceof EqualityFilter) return [[filter.attribute, String(filter.value)]];
  const node = filter as unknown as { filters?: Filter[]; filter?: Filter };
  const children = node.filters ?? (node.filter === undefined ? [] : [node.filter]);
  return children.flatMap(equalities);
}

describe('values reach LDAP filters as data (security review 13)', () => {
  it('equalityFilter and holdersFilter: each hostile key is one equality assertion with the value as given', () => {
    for (const value of HOSTILE) expect(equalities(FilterParser.parseString(equalityFilter('uid', value)))).toEqual([['uid', value]]);
    const parsed = FilterParser.parseString(holdersFilter('(objectClass=person)', 'employeeNumber', HOSTILE));
    expect(equalities(parsed)).toEqual([['objectClass', 'person'], ...HOSTILE.map((v): [string, string] => ['employeeNumber', v])]);
  });

  it('uniqueMember filters: a hostile member DN stays one value in each assertion', () => {
    const dn = 'cn=a\\,b)(uniqueMember=*,dc=example,dc=com';
    const { exact, withUid } = uniqueMemberFilters('(objectClass=groupOfUniqueNames)', dn);
    expect(equalities(FilterParser.parseString(exact))).toEqual([['objectClass', 'groupOfUniqueNames'], ['uniqueMember', dn]]);
    // withUid: the approximate match and the negated exact one, both on the DN as given.
    const text = FilterParser.parseString(withUid).toString();
    expect(text.match(/\(uniqueMember/g)).toHaveLength(2);
    expect(equalities(FilterParser.parseString(withUid))).toEqual([['objectClass', 'groupOfUniqueNames'], ['uniqueMember', dn]]);
  });

  it('reportsOfRekeyed: a renamed manager\'s DN from the directory is escaped in the (manager=DN) search', async () => {
    const filters: string[] = [];
    const reader = { search: async (filter: string) => { filters.push(filter); return [] as DirectoryEntry[]; } };
    const dn = 'CN=Boss)(manager=*,OU=People,DC=example,DC=com';
    const entry = { dn, values: new Map([['objectguid', ['g1']], ['employeeid', ['E2']]]) } as unknown as DirectoryEntry;
    await reportsOfRekeyed(reader, {
      filter: '(objectClass=user)', key: 'employeeID', managerAttribute: 'manager', attributes: ['employeeID'], entries: [entry], known: { g1: 'E1' },
    });
    expect(filters).toHaveLength(1);
    expect(equalities(FilterParser.parseString(filters[0] ?? ''))).toEqual([['objectClass', 'user'], ['manager', dn]]);
  });
});

describe('an account id from the store or from reconcile --link reaches AD only as a GUID (security review 13)', () => {
  it('dnInDomain reads <GUID=…> only for a GUID; anything else (a crafted id) asks the directory nothing', async () => {
    const bases: string[] = [];
    const pool = {
      use: async (work: (c: { search(base: string): Promise<{ searchEntries: { dn: string }[] }> }) => Promise<unknown>) =>
        work({ search: async (base: string) => { bases.push(base); return { searchEntries: [{ dn: 'CN=x,DC=example,DC=com' }] }; } }),
    } as unknown as ClientPool;
    for (const crafted of ['x>,<SID=S-1-5-32-544', '00000000-0000-0000-0000-000000000000>;<GUID=1', '*', 'CN=Administrator,CN=Users,DC=example,DC=com']) {
      expect(await dnInDomain(pool, crafted)).toBeUndefined();
    }
    expect(bases).toEqual([]);
    expect(await dnInDomain(pool, '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0')).toBe('CN=x,DC=example,DC=com');
    expect(bases).toEqual(['<GUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0>']);
  });
});
