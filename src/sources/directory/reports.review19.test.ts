import { describe, expect, it } from 'vitest';
import { rekeyedDns, reportsOf } from './reports.js';
import type { DirectoryEntry } from './values.js';

const entry = (dn: string, values: Record<string, string>): DirectoryEntry =>
  ({ dn, values: new Map(Object.entries(values).map(([name, value]) => [name.toLowerCase(), [value]])) });

describe('reportsOf (review 19)', () => {
  const input = { filter: '(objectClass=inetOrgPerson)', managerAttribute: 'manager', attributes: ['employeeNumber', 'manager'] };

  it('asks fifty managers a search, escaped, and leaves out entries already read or returned twice', async () => {
    const filters: string[] = [];
    const reader = {
      search: async (filter: string) => {
        filters.push(filter);
        return [entry('uid=r1,dc=x', { manager: 'uid=m0,dc=x' }), entry('UID=R1,DC=X', { manager: 'uid=m0,dc=x' }), entry('uid=m1,dc=x', {})];
      },
    };
    const managers = Array.from({ length: 60 }, (_, i) => `uid=m${i},dc=x`);
    const reports = await reportsOf(reader, { ...input, managers: ['uid=a (b),dc=x', ...managers], entries: [entry('uid=m1,dc=x', {})] });
    expect(filters).toHaveLength(2);
    expect(filters[0]).toContain('(manager=uid=a \\28b\\29,dc=x)');
    expect(reports.map((r) => r.dn)).toEqual(['uid=r1,dc=x']);
  });

  it('past 200 managers reads every entry with a manager once and keeps those naming one of them (DNs compared normalised)', async () => {
    const filters: string[] = [];
    const reader = {
      search: async (filter: string) => {
        filters.push(filter);
        return [entry('uid=r1,dc=x', { manager: 'UID=M7, DC=X' }), entry('uid=r2,dc=x', { manager: 'uid=other,dc=x' })];
      },
    };
    const managers = Array.from({ length: 201 }, (_, i) => `uid=m${i},dc=x`);
    const reports = await reportsOf(reader, { ...input, managers, entries: [] });
    expect(filters).toEqual(['(&(objectClass=inetOrgPerson)(manager=*))']);
    expect(reports.map((r) => r.dn)).toEqual(['uid=r1,dc=x']);
  });

  it('asks nothing without managers, without a mapped manager, or with the manager mapped to the DN', async () => {
    const reader = { search: async (): Promise<DirectoryEntry[]> => { throw new Error('not expected'); } };
    expect(await reportsOf(reader, { ...input, managers: [], entries: [] })).toEqual([]);
    expect(await reportsOf(reader, { ...input, managerAttribute: undefined, managers: ['uid=a,dc=x'], entries: [] })).toEqual([]);
    expect(await reportsOf(reader, { ...input, managerAttribute: 'dn', managers: ['uid=a,dc=x'], entries: [] })).toEqual([]);
  });

  it('rekeyedDns: only entries whose key is known and now another, non-empty one', () => {
    const before: Record<string, string> = { 'uid=a,dc=x': 'A', 'uid=b,dc=x': 'B', 'uid=c,dc=x': 'C' };
    const entries = [entry('uid=a,dc=x', { employeeNumber: 'A2' }), entry('uid=b,dc=x', { employeeNumber: 'B' }), entry('uid=c,dc=x', {}), entry('uid=d,dc=x', { employeeNumber: 'D' })];
    expect(rekeyedDns(entries, 'employeeNumber', (e) => before[e.dn])).toEqual(['uid=a,dc=x']);
  });
});
