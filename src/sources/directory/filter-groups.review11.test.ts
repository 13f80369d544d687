import type { Filter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { groupChange, type FilterGroups, type GroupReader } from './filter-groups.js';

/** Groups that did not change; deleted groups as `deleted` says (undefined: Show Deleted refused). */
function reader(deleted: boolean | undefined) {
  const asked: string[] = [];
  const groups: GroupReader = {
    valueAt: async () => '5',
    anyUnder: async () => false,
    anyDeletedUnder: async (base, filter: Filter) => { asked.push(`${base} ${filter.toString()}`); return deleted; },
  };
  return { groups, asked };
}
const nested: FilterGroups = { direct: [], nested: ['CN=All,DC=x'], anyGroup: false };
const anyGroup: FilterGroups = { direct: [], nested: [], anyGroup: true };
const direct: FilterGroups = { direct: ['CN=Staff,DC=x'], nested: [], anyGroup: false };

describe('groupChange and deleted groups (review 11)', () => {
  it('a group deleted since the cursor makes an in-chain or any-group filter read in full: its members left the groups it was in', async () => {
    for (const groups of [nested, anyGroup]) {
      const { groups: r, asked } = reader(true);
      expect(await groupChange(r, groups, '100', 'DC=x')).toMatch(/group was deleted/);
      expect(asked).toEqual(['DC=x (&(objectClass=group)(isDeleted=TRUE)(uSNChanged>=100))']);
      expect(await groupChange(reader(false).groups, groups, '100', 'DC=x')).toBeUndefined();
      expect(await groupChange(reader(undefined).groups, groups, '100', 'DC=x')).toMatch(/refuses to show deleted groups/);
    }
  });

  it('a filter on direct membership does not look for deleted groups (a person in a deleted group keeps no memberOf the filter names)', async () => {
    const { groups, asked } = reader(true);
    expect(await groupChange(groups, direct, '100', 'DC=x')).toBeUndefined();
    expect(asked).toEqual([]);
  });
});
