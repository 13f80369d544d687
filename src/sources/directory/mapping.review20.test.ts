import { describe, expect, it } from 'vitest';
import { entriesToBatch, goneEntries, holdersByKey } from './mapping.js';
import type { MappingRules } from './settings.js';
import type { DirectoryEntry } from './values.js';

const fields = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' };
const rules: MappingRules = { sourceId: 'dir', kind: 'ldap', key: 'employeeNumber', fields, disabledStatus: 'terminated', attributes: { givenName: 'givenName' } };

function entry(uid: string, employeeNumber: string): DirectoryEntry {
  return { dn: `uid=${uid},ou=people,dc=example,dc=com`, values: new Map([['employeenumber', [employeeNumber]], ['givenname', [uid]]]) };
}

/**
 * The directory compares employeeNumber ignoring case and Unicode form, and
 * so does Roster when it takes a respelled key as the stored person
 * (lifecycle/respelled.ts): two entries whose keys differ only so share one
 * key, and neither may be used, in a full pass or an incremental one.
 */
describe('keys that differ only in letter case or Unicode form (review 20)', () => {
  it('a full pass turns both entries down, naming each other', () => {
    const batch = entriesToBatch([entry('ada', 'E7'), entry('bob', 'e7'), entry('alan', 'E2')], rules, new Map(), true);
    expect(batch.records.map((r) => r.key)).toEqual(['E2']);
    expect(batch.problems).toEqual([
      { line: 1, key: 'E7', message: 'entry uid=ada,ou=people,dc=example,dc=com has employeeNumber "E7", also held by uid=bob,ou=people,dc=example,dc=com' },
      { line: 2, key: 'e7', message: 'entry uid=bob,ou=people,dc=example,dc=com has employeeNumber "e7", also held by uid=ada,ou=people,dc=example,dc=com' },
    ]);
  });

  it('a composed and a decomposed key are one key', () => {
    const batch = entriesToBatch([entry('jose', 'Jos\u00e9-1'), entry('other', 'Jose\u0301-1')], rules, new Map(), true);
    expect(batch.records).toEqual([]);
    expect(batch.problems.map((p) => p.key)).toEqual(['Jos\u00e9-1', 'Jose\u0301-1']);
  });

  it('an incremental pass: the holders the directory returned in another case hold the key', () => {
    const holders = holdersByKey([entry('ada', 'E7'), entry('bob', 'e7')], 'employeeNumber');
    const batch = entriesToBatch([entry('bob', 'e7')], rules, new Map(), false, holders);
    expect(batch.records).toEqual([]);
    expect(batch.problems).toEqual([
      { line: 1, key: 'e7', message: 'entry uid=bob,ou=people,dc=example,dc=com has employeeNumber "e7", also held by uid=ada,ou=people,dc=example,dc=com' },
    ]);
  });

  it('records and keyed problems carry the entry they were read from (entryUUID, lower case); gone keys the entry that held them', () => {
    const withUuid = (uid: string, key: string, uuid: string): DirectoryEntry => ({ dn: entry(uid, key).dn, values: new Map([...entry(uid, key).values, ['entryuuid', [uuid]]]) });
    const batch = entriesToBatch([withUuid('ada', 'E7', 'AAAA-1'), withUuid('bob', 'e7', 'bbbb-2'), withUuid('alan', 'E2', 'cccc-3'), entry('grace', 'E8')], rules, new Map(), true);
    expect(batch.records.map((r) => [r.key, r.entry])).toEqual([['E2', 'cccc-3'], ['E8', undefined]]);
    expect(batch.problems.map((p) => [p.key, p.entry])).toEqual([['E7', 'aaaa-1'], ['e7', 'bbbb-2']]);
    expect(goneEntries(['e7', 'E9'], { 'bbbb-2': 'e7', 'cccc-3': 'E2' })).toEqual({ e7: 'bbbb-2' });
  });
});
