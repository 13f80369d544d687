import { describe, expect, it } from 'vitest';
import { directoryBatch } from './batch.js';
import type { DirectoryReader } from './search.js';
import type { MappingRules } from './settings.js';
import type { DirectoryEntry } from './values.js';

/**
 * An incremental pass asks the directory who else holds its entries' keys.
 * A few keys: filters of a hundred keys each. Many: one read of every
 * entry's key (each hundred-key filter cost a scan of the whole source on an
 * unindexed key attribute: the pass grew with the square of the directory).
 * Either way an entry whose key another entry holds is a problem, not a record.
 */
const rules: MappingRules = {
  sourceId: 'dir', kind: 'ldap', key: 'employeeNumber', attributes: { givenName: 'givenName' }, disabledStatus: 'inactive',
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
};
const person = (i: number, key = `E${i}`): DirectoryEntry => ({
  dn: `uid=p${i},ou=people,dc=x`, values: new Map([['employeenumber', [key]], ['givenname', [`P${i}`]]]),
});
const FILTER = '(objectClass=inetOrgPerson)';

/** A directory of `all`, answering searches as a server would (the holders filter by its key values), counting them. */
function readerOf(all: readonly DirectoryEntry[]): { reader: DirectoryReader; filters: string[] } {
  const filters: string[] = [];
  const reader = {
    async search(filter: string): Promise<DirectoryEntry[]> {
      filters.push(filter);
      if (filter === FILTER) return [...all];
      const wanted = new Set([...filter.matchAll(/\(employeeNumber=([^)]*)\)/g)].map((m) => m[1]));
      return all.filter((e) => wanted.has(e.values.get('employeenumber')?.[0]));
    },
    async valueAt(): Promise<string | undefined> { return undefined; },
  } as unknown as DirectoryReader;
  return { reader, filters };
}

async function pass(changed: number): Promise<{ records: string[]; problems: number; searches: string[] }> {
  // 1,000 people; the first `changed` were modified; p0's key is also held by p999 (copied by hand).
  const all = [...Array.from({ length: 999 }, (_, i) => person(i)), person(999, 'E0')];
  const { reader, filters } = readerOf(all);
  const batch = await directoryBatch(reader, { rules, filter: FILTER, entries: all.slice(0, changed), complete: false, delta: true });
  return { records: batch.records.map((r) => r.key), problems: batch.problems.length, searches: filters };
}

describe('an incremental pass checks who else holds its keys', () => {
  it('two hundred keys or fewer: a filter per hundred', async () => {
    const { records, problems, searches } = await pass(150);
    expect(searches).toHaveLength(2);
    expect(searches.every((f) => f.startsWith('(&(objectClass=inetOrgPerson)(|'))).toBe(true);
    expect(problems).toBe(1);
    expect(records).toHaveLength(149);
    expect(records).not.toContain('E0');
  });

  it('more: one read of every entry\'s key, the same records and problems', async () => {
    const { records, problems, searches } = await pass(450);
    expect(searches).toEqual([FILTER]);
    expect(problems).toBe(1);
    expect(records).toHaveLength(449);
    expect(records).not.toContain('E0');
  });
});
