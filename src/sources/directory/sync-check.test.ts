import { describe, expect, it } from 'vitest';
import { withLeftOut, withoutStillThere } from './sync-check.js';
import type { SyncChanges } from './sync.js';
import type { DirectoryEntry } from './values.js';

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const entry = (n: number, uuid = U(n)): DirectoryEntry => ({
  dn: `uid=p${n},ou=people,dc=example,dc=com`,
  values: new Map([['entryuuid', [uuid]], ['employeenumber', [`E${n}`]]]),
});

/** A directory whose plain searches find `there` (the base and filter now). */
function directory(there: readonly DirectoryEntry[]) {
  const asked: string[][] = [];
  const uuidOf = (e: DirectoryEntry) => e.values.get('entryuuid')![0]!.toLowerCase();
  return {
    asked,
    reader: {
      search: async () => [...there],
      byEntryUuid: async (_filter: string, uuids: readonly string[]) => {
        asked.push([...uuids]);
        return there.filter((e) => uuids.includes(uuidOf(e)));
      },
    },
  };
}

describe('withLeftOut (a full refresh)', () => {
  it('adds the entries a search finds that the refresh left out, and says how many', async () => {
    const warnings: unknown[] = [];
    const { reader, asked } = directory([entry(1), entry(2), entry(3), entry(4)]);
    const refreshed = [entry(1), entry(3)].map((e) => ({ uuid: e.values.get('entryuuid')![0]!, entry: e }));
    const all = await withLeftOut(reader, { sourceId: 'corp', filter: '(objectClass=*)', attributes: ['employeeNumber'], refreshed, log: { warn: (...args) => { warnings.push(args); } } });
    expect(all.map((s) => s.uuid)).toEqual([U(1), U(3), U(2), U(4)]);
    expect(asked).toEqual([[U(2), U(4)]]);
    expect(JSON.stringify(warnings)).toContain('"leftOut":2');
  });

  it('reads nothing more, and warns of nothing, when the refresh has everyone (UUIDs compared in any case)', async () => {
    const warnings: unknown[] = [];
    const { reader, asked } = directory([entry(1, U(1).toUpperCase()), entry(2)]);
    const refreshed = [entry(1), entry(2)].map((e) => ({ uuid: e.values.get('entryuuid')![0]!, entry: e }));
    const all = await withLeftOut(reader, { sourceId: 'corp', filter: '(objectClass=*)', attributes: [], refreshed, log: { warn: (...args) => { warnings.push(args); } } });
    expect(all).toHaveLength(2);
    expect(asked).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('withoutStillThere (a sync from a cookie)', () => {
  const changes = (removed: Record<string, string>, keys: Record<string, string>, gone: string[]): SyncChanges =>
    ({ entries: [], gone, keys, deleted: Object.keys(removed).length, removed });

  it('keeps an entry reported removed that is still under the base and filter: not gone, not deleted', async () => {
    const { reader, asked } = directory([entry(2)]);
    const result = await withoutStillThere(reader, '(objectClass=*)', changes({ [U(1)]: 'E1', [U(2)]: 'E2' }, { [U(3)]: 'E3' }, ['E1', 'E2']));
    expect(asked).toEqual([[U(1), U(2)]]);
    expect(result.gone).toEqual(['E1']);
    expect(result.deleted).toBe(1);
    expect(result.removed).toEqual({ [U(1)]: 'E1' });
    expect(result.keys).toEqual({ [U(2)]: 'E2', [U(3)]: 'E3' });
  });

  it('asks nothing when nothing was removed, and changes nothing when none is still there', async () => {
    const quiet = directory([]);
    const none = changes({}, { [U(3)]: 'E3' }, []);
    expect(await withoutStillThere(quiet.reader, '(objectClass=*)', none)).toBe(none);
    expect(quiet.asked).toEqual([]);
    const gone = changes({ [U(1)]: 'E1' }, {}, ['E1']);
    expect(await withoutStillThere(quiet.reader, '(objectClass=*)', gone)).toBe(gone);
  });
});
