import { describe, expect, it } from 'vitest';
import { isoToFiletime } from '../../connectors/ad/filetime.js';
import type { SourceBatch } from '../../core/types.js';
import { keepTurnedDown, reportsOfRekeyed } from './ad-gone.js';
import { nextCursor, parseCursor, usnRollback } from './cursor.js';
import { entriesToBatch } from './mapping.js';
import type { MappingRules } from './settings.js';
import { dateValue, type DirectoryEntry } from './values.js';

const G1 = '11111111-2222-3333-4444-555555555555';
const G2 = '66666666-7777-8888-9999-aaaaaaaaaaaa';
const INVOCATION = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

function entry(dn: string, values: Record<string, string>): DirectoryEntry {
  return { dn, values: new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), [v]])) };
}

describe('ad cursor after a DC restore (review 13)', () => {
  it('a DC whose highestCommittedUSN is below the cursor went back: the pass must read in full', () => {
    expect(usnRollback({ usn: '5000' }, { highestCommittedUSN: '4100' })).toMatch(/below the cursor's \(5000\)/);
    expect(usnRollback({ usn: '5000' }, { highestCommittedUSN: '5000' })).toBeUndefined();
    expect(usnRollback({ usn: '5000' }, { highestCommittedUSN: '7000' })).toBeUndefined();
    expect(usnRollback({ usn: '5000' }, {})).toBeUndefined();
  });

  it('a new invocationId is a restore even when the USNs have passed the cursor again', () => {
    expect(usnRollback({ usn: '5000', invocation: INVOCATION }, { highestCommittedUSN: '9000', invocationId: G1 })).toMatch(/invocationId changed/);
    expect(usnRollback({ usn: '5000', invocation: INVOCATION }, { highestCommittedUSN: '9000', invocationId: INVOCATION })).toBeUndefined();
    // A cursor stored before it knew the invocationId: only the USN test applies.
    expect(usnRollback({ usn: '5000' }, { highestCommittedUSN: '9000', invocationId: G1 })).toBeUndefined();
  });

  it('the cursor keeps the invocationId, and reads it back only when it is a GUID', () => {
    const cursor = nextCursor({ kind: 'ad', entries: [], previous: undefined, rootUsn: '42', server: 'CN=NTDS Settings,CN=DC1', invocation: INVOCATION });
    expect(cursor).toEqual({ kind: 'usn', usn: '42', server: 'CN=NTDS Settings,CN=DC1', invocation: INVOCATION });
    expect(parseCursor(JSON.parse(JSON.stringify(cursor)), 'ad')).toEqual(cursor);
    expect(parseCursor({ kind: 'usn', usn: '42', invocation: 'not a guid' }, 'ad')).toEqual({ kind: 'usn', usn: '42' });
  });
});

describe('accountExpires in the lifecycle time zone (review 13)', () => {
  it('a FILETIME at local midnight is the day before it; one at another instant stays that instant', () => {
    expect(dateValue(isoToFiletime('2026-12-31', 'Asia/Tokyo'), 'Asia/Tokyo')).toBe('2026-12-31');
    expect(dateValue(isoToFiletime('2026-12-31', 'UTC'), 'Asia/Tokyo')).toBe('2027-01-01T00:00:00.000Z');
    expect(dateValue(isoToFiletime('2026-07-31', 'America/Los_Angeles'), 'America/Los_Angeles')).toBe('2026-07-31');
    expect(dateValue(isoToFiletime('2026-12-31', 'UTC'))).toBe('2026-12-31');
    expect(dateValue('0', 'Asia/Tokyo')).toBe('');
    expect(dateValue('9223372036854775807', 'Asia/Tokyo')).toBe('');
  });

  it('the mapping reads it in the rules\' time zone', () => {
    const rules: MappingRules = {
      sourceId: 'ad', kind: 'ad', key: 'employeeID', attributes: { endDate: 'accountExpires' }, disabledStatus: 'terminated', timezone: 'Europe/Paris',
      fields: { manager: 'managerId', startDate: 'startDate', endDate: 'endDate', status: 'status' } as MappingRules['fields'],
    };
    const batch = entriesToBatch([entry('CN=a,DC=x', { employeeID: 'E1', accountExpires: isoToFiletime('2026-03-29', 'Europe/Paris') })], rules, new Map(), true);
    expect(batch.records[0]?.attributes.endDate).toBe('2026-03-29');
  });
});

describe('keepTurnedDown (review 13)', () => {
  const entries = [
    entry('CN=bob,DC=x', { employeeID: 'B3', objectGUID: G1 }),
    entry('CN=carol,DC=x', { employeeID: 'B3', objectGUID: G2 }),
  ];
  const batch: SourceBatch = {
    sourceId: 'ad', records: [], complete: true, rowsRead: 2,
    problems: [{ line: 1, key: 'B3', message: 'bob: also held' }, { line: 2, key: 'B3', message: 'carol: also held' }],
  };

  it('an entry the batch turned down keeps the key the stored map had for it, as a problem and in the map', () => {
    const kept = keepTurnedDown(batch, { entries, key: 'employeeID', known: { [G1]: 'B3', [G2]: 'B4' } });
    expect(kept.batch.problems.map((p) => [p.line, p.key])).toEqual([[1, 'B3'], [2, 'B3'], [2, 'B4']]);
    expect(kept.keys).toEqual({ [G1]: 'B3', [G2]: 'B4' });
  });

  it('without a stored map, the batch is left as it is and the map is what the entries hold', () => {
    const kept = keepTurnedDown(batch, { entries, key: 'employeeID', known: undefined });
    expect(kept.batch).toBe(batch);
    expect(kept.keys).toEqual({ [G1]: 'B3', [G2]: 'B3' });
  });

  it('an entry whose new key was taken (a real key change) is not kept under its old key', () => {
    const changed: SourceBatch = { sourceId: 'ad', records: [{ key: 'B9', line: 1, attributes: { employeeID: 'B9' } }], problems: [], complete: true, rowsRead: 1 };
    const kept = keepTurnedDown(changed, { entries: [entry('CN=bob,DC=x', { employeeID: 'B9', objectGUID: G1 })], key: 'employeeID', known: { [G1]: 'B3' } });
    expect(kept.batch.problems).toEqual([]);
    expect(kept.keys).toEqual({ [G1]: 'B9' });
  });
});

describe('reportsOfRekeyed (review 13)', () => {
  it('asks for the reports of the entries whose key changed, escaped, and leaves out the ones already read', async () => {
    const filters: string[] = [];
    const reader = {
      search: async (filter: string) => {
        filters.push(filter);
        return [entry('CN=boss (x),DC=x', { employeeID: 'M2' }), entry('CN=rep,DC=x', { employeeID: 'R1', manager: 'CN=boss (x),DC=x' })];
      },
    };
    const reports = await reportsOfRekeyed(reader, {
      filter: '(objectClass=user)', key: 'employeeID', managerAttribute: 'manager', attributes: ['employeeID', 'manager'],
      entries: [entry('CN=boss (x),DC=x', { employeeID: 'M2', objectGUID: G1 }), entry('CN=same,DC=x', { employeeID: 'S1', objectGUID: G2 })],
      known: { [G1]: 'M1', [G2]: 'S1' },
    });
    expect(filters).toEqual(['(&(objectClass=user)(|(manager=CN=boss \\28x\\29,DC=x)))']);
    expect(reports.map((r) => r.dn)).toEqual(['CN=rep,DC=x']);
  });

  it('asks nothing when no key changed, or the manager is not mapped', async () => {
    const reader = { search: async () => { throw new Error('not expected'); } };
    const input = { filter: '(objectClass=user)', key: 'employeeID', attributes: [], entries: [entry('CN=a,DC=x', { employeeID: 'S1', objectGUID: G2 })] };
    expect(await reportsOfRekeyed(reader, { ...input, managerAttribute: 'manager', known: { [G2]: 'S1' } })).toEqual([]);
    expect(await reportsOfRekeyed(reader, { ...input, managerAttribute: undefined, known: { [G2]: 'S0' } })).toEqual([]);
  });
});
