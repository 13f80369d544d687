import type { Filter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { filterGroups, groupChange, IN_CHAIN, type GroupReader } from './filter-groups.js';

describe('filterGroups', () => {
  it('finds no groups in a filter on the person alone', () => {
    expect(filterGroups('(&(objectClass=user)(employeeID=*)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))')).toBeUndefined();
    expect(filterGroups('(cn=memberOf)')).toBeUndefined();
  });

  it('names the groups of equality and in-chain assertions, anywhere in the filter, in any case', () => {
    expect(filterGroups('(&(objectClass=user)(|(memberOf=CN=Staff,DC=x)(MEMBEROF=CN=Temps,DC=x))(!(memberof=CN=Banned,DC=x)))'))
      .toEqual({ direct: ['CN=Staff,DC=x', 'CN=Temps,DC=x', 'CN=Banned,DC=x'], nested: [], anyGroup: false });
    expect(filterGroups(`(&(objectClass=user)(memberOf:${IN_CHAIN}:=CN=All,DC=x)(memberOf:=CN=Direct,DC=x))`))
      .toEqual({ direct: ['CN=Direct,DC=x'], nested: ['CN=All,DC=x'], anyGroup: false });
  });

  it('reads an escaped group DN as the DN the directory compares', () => {
    // The DN CN=Zoë\, R&D,... is written with its backslash escaped for the filter (and its ë as it is: ldapts reads a \xx escape as one character).
    expect(filterGroups('(memberOf=CN=Zoë\\5c, R&D,DC=x)')?.direct).toEqual(['CN=Zoë\\, R&D,DC=x']);
  });

  it('says any group may matter for memberOf in a form that names none', () => {
    for (const filter of ['(memberOf=*)', '(!(memberOf=*))', '(memberOf=CN=Staff*)', '(memberOf:1.2.3.4:=CN=x)', '(memberOf~=CN=x)']) {
      expect(filterGroups(filter), filter).toMatchObject({ anyGroup: true });
    }
  });
});

/** A directory of groups with their uSNChanged, and the filters asked of it. */
function groupsAt(usns: Record<string, string>, changedUnder: (filter: string) => boolean = () => false, deleted: boolean | undefined = false) {
  const asked: string[] = [];
  const reader: GroupReader = {
    valueAt: async (dn, attribute) => { asked.push(`${dn} ${attribute}`); return usns[dn]; },
    anyUnder: async (base, filter: Filter) => { asked.push(`${base} ${filter.toString()}`); return changedUnder(filter.toString()); },
    anyDeletedUnder: async (base, filter: Filter) => { asked.push(`deleted ${base} ${filter.toString()}`); return deleted; },
  };
  return { reader, asked };
}

describe('groupChange', () => {
  it('is nothing when the named groups changed before the cursor', async () => {
    const { reader, asked } = groupsAt({ 'CN=Staff,DC=x': '99' });
    expect(await groupChange(reader, { direct: ['CN=Staff,DC=x'], nested: [], anyGroup: false }, '100', 'DC=x')).toBeUndefined();
    expect(asked).toEqual(['CN=Staff,DC=x uSNChanged']);
  });

  it('names a group changed at or after the first USN not yet read, and one that is gone', async () => {
    const { reader } = groupsAt({ 'CN=Staff,DC=x': '100' });
    expect(await groupChange(reader, { direct: ['CN=Staff,DC=x'], nested: [], anyGroup: false }, '100', 'DC=x')).toMatch(/CN=Staff,DC=x .*changed/);
    expect(await groupChange(reader, { direct: ['CN=Gone,DC=x'], nested: [], anyGroup: false }, '100', 'DC=x')).toMatch(/CN=Gone,DC=x .*cannot be read/);
  });

  it('compares USNs as numbers, not text', async () => {
    const { reader } = groupsAt({ 'CN=Staff,DC=x': '1000' });
    expect(await groupChange(reader, { direct: ['CN=Staff,DC=x'], nested: [], anyGroup: false }, '999', 'DC=x')).toBeDefined();
    expect(await groupChange(reader, { direct: ['CN=Staff,DC=x'], nested: [], anyGroup: false }, '1001', 'DC=x')).toBeUndefined();
  });

  it('looks for changed groups nested in an in-chain group, under the domain', async () => {
    const { reader, asked } = groupsAt({ 'CN=All,DC=x': '5' }, (filter) => filter.includes('CN=All,DC=x'));
    expect(await groupChange(reader, { direct: [], nested: ['CN=All,DC=x'], anyGroup: false }, '100', 'DC=x')).toMatch(/nested in CN=All,DC=x/);
    expect(asked[1]).toBe(`DC=x (&(objectClass=group)(memberOf:${IN_CHAIN}:=CN=All,DC=x)(uSNChanged>=100))`);
    const quiet = groupsAt({ 'CN=All,DC=x': '5' });
    expect(await groupChange(quiet.reader, { direct: [], nested: ['CN=All,DC=x'], anyGroup: false }, '100', 'DC=x')).toBeUndefined();
    // Without a naming context it cannot look, so it says the pass must read in full.
    expect(await groupChange(quiet.reader, { direct: [], nested: ['CN=All,DC=x'], anyGroup: false }, '100', undefined)).toMatch(/names no domain/);
  });

  it('for any group: any changed group of the domain', async () => {
    const changed = groupsAt({}, (filter) => filter === '(&(objectClass=group)(uSNChanged>=7))');
    expect(await groupChange(changed.reader, { direct: [], nested: [], anyGroup: true }, '7', 'DC=x')).toMatch(/any group/);
    const quiet = groupsAt({});
    expect(await groupChange(quiet.reader, { direct: [], nested: [], anyGroup: true }, '7', 'DC=x')).toBeUndefined();
  });
});
