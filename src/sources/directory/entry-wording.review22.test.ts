import { describe, expect, it } from 'vitest';
import { ingestDiagnostics } from '../../cli/plan-format.js';
import type { SourceBatch, SourceProblem } from '../../core/types.js';
import { keepTurnedDown } from './ad-gone.js';
import { entriesToBatch } from './mapping.js';
import type { MappingRules } from './settings.js';
import { keepTurnedDownInFull } from './sync-turned-down.js';
import type { DirectoryEntry } from './values.js';

/**
 * A directory entry's problem is printed by its key, its message naming the DN and the attribute: never by its
 * `line` (where it came in the server's answer) nor a `column` (review 22). `--json` keeps `line`.
 */
const G1 = '11111111-2222-3333-4444-555555555555';
const G2 = '66666666-7777-8888-9999-AAAAAAAAAAAA';
const U1 = '00000000-0000-4000-8000-000000000001';

function entry(dn: string, values: Record<string, string>): DirectoryEntry {
  return { dn, values: new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), [v]])) };
}

/** What `roster sync` / `plan` print for a source's problems. */
const printed = (sourceId: string, problems: readonly SourceProblem[]): { message: string; line?: number; key?: string }[] => ingestDiagnostics({
  sourceId, received: 0, created: 0, changed: 0, unchanged: 0, missing: 0, problems, diagnostics: [], events: [], affected: [],
}).map((d) => d as { message: string; line?: number; key?: string });

const adRules: MappingRules = {
  sourceId: 'corp', kind: 'ad', key: 'employeeID', attributes: { startDate: 'extensionAttribute1', endDate: 'accountExpires' },
  disabledStatus: 'terminated', timezone: 'UTC',
  fields: { manager: 'managerId', startDate: 'startDate', endDate: 'endDate', status: 'status' } as MappingRules['fields'],
};

describe('directory problems are printed by key and DN (review 22)', () => {
  it('a start date that is no date names the entry\'s DN and the attribute, not column "startDate"', () => {
    const batch = entriesToBatch([
      entry('CN=Jo Bloggs,OU=Staff,DC=example,DC=test', { employeeID: 'E1128', objectGUID: G1, extensionAttribute1: '31/12/2026' }),
    ], adRules, new Map(), true);
    expect(batch.records).toEqual([]);
    expect(batch.rowsRead).toBe(1);
    expect(batch.problems).toEqual([{
      line: 1, key: 'E1128', entry: G1,
      message: 'entry CN=Jo Bloggs,OU=Staff,DC=example,DC=test: extensionAttribute1 (startDate) is not a date (an ISO date, a date-time or a directory time): "31/12/2026"',
    }]);
    const [shown] = printed('corp', batch.problems);
    expect(shown).toMatchObject({ line: 1, key: 'E1128' });
    expect(shown?.message).toBe(
      'E1128: entry CN=Jo Bloggs,OU=Staff,DC=example,DC=test: extensionAttribute1 (startDate) is not a date (an ISO date, a date-time or a directory time): "31/12/2026"',
    );
  });

  it('ad: the key an entry turned down had at the last pass is named by key and DN, not "line 2"', () => {
    const entries = [entry('CN=bob,DC=x', { employeeID: 'B3', objectGUID: G1 }), entry('CN=carol,DC=x', { employeeID: 'B3', objectGUID: G2 })];
    const batch: SourceBatch = {
      sourceId: 'corp', records: [], complete: true, rowsRead: 2,
      problems: [{ line: 1, key: 'B3', message: 'bob: also held', entry: G1 }, { line: 2, key: 'B3', message: 'carol: also held', entry: G2.toLowerCase() }],
    };
    const kept = keepTurnedDown(batch, { entries, key: 'employeeID', known: { [G1]: 'B3', [G2]: 'B4' } });
    const b4 = kept.batch.problems.find((p) => p.key === 'B4');
    expect(b4).toMatchObject({ line: 2, entry: G2.toLowerCase() });
    const shown = printed('corp', kept.batch.problems).find((d) => d.key === 'B4');
    expect(shown?.line).toBe(2);
    expect(shown?.message).toBe('B4: entry CN=carol,DC=x had employeeID "B4" at the last pass and cannot be used in this one: "B4" is not taken for gone');
  });

  it('ldap (syncrepl full refresh): the same', () => {
    const typo = entry('cn=alice,dc=x', { uid: 'D2' });
    const bob = entry('cn=bob,dc=x', { uid: 'D2' });
    const rules: MappingRules = { ...adRules, sourceId: 'people', kind: 'ldap', key: 'uid', attributes: {} };
    const batch = entriesToBatch([typo, bob], rules, new Map(), true);
    const kept = keepTurnedDownInFull(batch, { entries: [{ uuid: U1, entry: typo }, { uuid: 'u2', entry: bob }], keys: {}, known: { [U1]: 'D1' } });
    const shown = printed('people', kept.batch.problems).find((d) => d.key === 'D1');
    expect(shown?.message).toBe('D1: entry cn=alice,dc=x had "D1" as its key at the last pass and cannot be used in this one: "D1" is not taken for gone');
  });

  it('a file\'s row keeps "line N (key)"', () => {
    expect(printed('hr', [{ line: 3, key: 'E2', message: 'column "endDate" is not an ISO date (YYYY-MM-DD or date-time): "soon"' }])[0]?.message)
      .toBe('line 3 (E2): column "endDate" is not an ISO date (YYYY-MM-DD or date-time): "soon"');
  });
});
