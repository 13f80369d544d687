import { describe, expect, it } from 'vitest';
import { withoutHeldKeys, type AdChanges } from './ad-gone.js';
import { parseCursor } from './cursor.js';
import type { DirectoryReader } from './search.js';
import type { DirectoryEntry } from './values.js';

const G = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;

function entry(guid: string, key: string): DirectoryEntry {
  return { dn: `CN=${key},OU=Staff,DC=example,DC=com`, values: new Map([['objectguid', [guid]], ['employeeid', [key]]]) };
}

/** A reader whose search answers like a directory matching the key case-insensitively (as AD does for employeeID). */
function holdersReader(entries: readonly DirectoryEntry[]): { reader: Pick<DirectoryReader, 'search'>; filters: string[] } {
  const filters: string[] = [];
  return {
    filters,
    reader: {
      async search(filter: string) {
        filters.push(filter);
        return entries.filter((e) => filter.toLowerCase().includes(`(employeeid=${e.values.get('employeeid')![0]!.toLowerCase()})`));
      },
    },
  };
}

describe('withoutHeldKeys (review 10)', () => {
  const changes: AdChanges = { gone: ['E1', 'E2', 'E3'], keys: { [G(9)]: 'E9' }, left: 3 };

  it('a gone key an entry in the base and filter holds now is not gone, and that entry joins the map', async () => {
    const { reader, filters } = holdersReader([entry(G(11), 'E1')]);
    const result = await withoutHeldKeys(reader, { filter: '(objectClass=user)', key: 'employeeID', changes });
    expect(result).toEqual({ gone: ['E2', 'E3'], keys: { [G(9)]: 'E9', [G(11)]: 'E1' }, left: 3 });
    expect(filters).toEqual(['(&(objectClass=user)(|(employeeID=E1)(employeeID=E2)(employeeID=E3)))']);
  });

  it('an entry the directory matched in another case does not hold the key (a full pass compares keys exactly)', async () => {
    const { reader } = holdersReader([entry(G(12), 'e2')]);
    const result = await withoutHeldKeys(reader, { filter: '(objectClass=user)', key: 'employeeID', changes });
    expect(result.gone).toEqual(['E1', 'E2', 'E3']);
    expect(result.keys).toEqual({ [G(9)]: 'E9' });
  });

  it('an entry known under another key keeps it (its old key stays held)', async () => {
    const { reader } = holdersReader([entry(G(9), 'E3')]);
    const result = await withoutHeldKeys(reader, { filter: '(objectClass=user)', key: 'employeeID', changes });
    expect(result).toEqual({ gone: ['E1', 'E2'], keys: { [G(9)]: 'E9' }, left: 3 });
  });

  it('asks a hundred keys a search, and nothing when nobody is gone or the key is one the directory keeps unique', async () => {
    const many: AdChanges = { gone: Array.from({ length: 250 }, (_, i) => `K${i}`), keys: {}, left: 250 };
    const { reader, filters } = holdersReader([entry(G(1), 'K249')]);
    const result = await withoutHeldKeys(reader, { filter: '(objectClass=user)', key: 'employeeID', changes: many });
    expect(filters).toHaveLength(3);
    expect(result.gone).toHaveLength(249);
    expect(result.gone).not.toContain('K249');
    const none = holdersReader([]);
    await withoutHeldKeys(none.reader, { filter: '(objectClass=user)', key: 'employeeID', changes: { gone: [], keys: {}, left: 1 } });
    await withoutHeldKeys(none.reader, { filter: '(objectClass=user)', key: 'objectGUID', changes });
    expect(none.filters).toEqual([]);
  });
});

describe('parseCursor with a tampered objectGUID map (review 10)', () => {
  it('keeps only lower-case GUIDs with non-empty text keys; anything else is no map', () => {
    const keys = JSON.parse(`{"${G(1)}": "E1", "ABCDEF01-0000-4000-8000-00000000000A": "E2", "not-a-guid": "E3", "${G(4)}": 4, "${G(5)}": "", "__proto__": "E6", "${G(7)}": ["E7"]}`);
    expect(parseCursor({ kind: 'usn', usn: '10', server: 'dc', keys }, 'ad')).toEqual({ kind: 'usn', usn: '10', server: 'dc', keys: { [G(1)]: 'E1' } });
    for (const bad of [['x'], 'x', null, 5]) expect(parseCursor({ kind: 'usn', usn: '10', keys: bad }, 'ad')).toEqual({ kind: 'usn', usn: '10' });
  });

  it('reads a map of 100,000 people in well under a second', () => {
    const keys: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) keys[G(i)] = `E${i}`;
    const text = JSON.stringify({ kind: 'usn', usn: '10', server: 'dc', keys });
    const start = process.cpuUsage();
    const cursor = parseCursor(JSON.parse(text), 'ad');
    const cpu = process.cpuUsage(start);
    expect(cursor?.kind === 'usn' ? Object.keys(cursor.keys ?? {}).length : 0).toBe(100_000);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(1000);
    // About 55 bytes a person, as the docs say (5.5 MB for 100,000).
    expect(text.length / 100_000).toBeLessThan(60);
  });
});
