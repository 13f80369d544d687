import { describe, expect, it } from 'vitest';
import { entriesToBatch, holdersByKey, keysByDn } from './mapping.js';
import type { MappingRules } from './settings.js';
import type { SyncRead } from './search.js';
import { syncChanges } from './sync.js';
import { keepTurnedDownInFull, keepTurnedDownKeys } from './sync-turned-down.js';
import { keyValues, type DirectoryEntry } from './values.js';

const fields = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' };
const rules: MappingRules = {
  sourceId: 'dir', kind: 'ldap', key: 'uid', fields, disabledStatus: 'terminated', attributes: { givenName: 'givenName', managerId: 'manager' },
};

function entry(dn: string, values: Record<string, string | string[]>): DirectoryEntry {
  return { dn, values: new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]])) };
}

describe('an entry with several key values (review 13)', () => {
  const ann = entry('cn=ann,dc=x', { uid: ['ann', 'ann.smith'], givenName: 'Ann' });
  const ben = entry('cn=ben,dc=x', { uid: 'ben', givenName: 'Ben', manager: 'cn=ann,dc=x' });

  it('reads distinct, trimmed, non-empty values; the DN is one value', () => {
    expect(keyValues(entry('cn=a,dc=x', { uid: [' a ', 'a', '', 'b'] }), 'UID')).toEqual(['a', 'b']);
    expect(keyValues(entry('cn=a,dc=x', {}), 'uid')).toEqual([]);
    expect(keyValues(entry('cn=a,dc=x', {}), 'dn')).toEqual(['cn=a,dc=x']);
  });

  it('is a problem naming its DN and values, with a problem for each value (none is gone), and is not a record', () => {
    const batch = entriesToBatch([ann, ben], rules, keysByDn([ann, ben], 'uid'), true);
    expect(batch.records.map((r) => r.key)).toEqual(['ben']);
    expect(batch.rowsRead).toBe(2);
    expect(batch.problems).toEqual([
      { line: 1, key: 'ann', message: 'entry cn=ann,dc=x has 2 values of uid ("ann", "ann.smith"): it cannot be correlated to one person' },
      { line: 1, key: 'ann.smith', message: 'entry cn=ann,dc=x also has uid "ann.smith"' },
      { line: 2, key: 'ben', message: 'entry cn=ben,dc=x: manager cn=ann,dc=x was not found or has no uid; managerId left empty' },
    ]);
  });

  it('the same value twice is one key', () => {
    const batch = entriesToBatch([entry('cn=c,dc=x', { uid: ['c', 'c '] })], rules, new Map(), true);
    expect(batch.records.map((r) => r.key)).toEqual(['c']);
  });

  it('holds each of its values against other entries', () => {
    expect([...holdersByKey([ann], 'uid')]).toEqual([['ann', ['cn=ann,dc=x']], ['ann.smith', ['cn=ann,dc=x']]]);
  });
});

describe('a key two entries of a full pass hold (review 13)', () => {
  it('makes both problems whatever their order: the directory\'s order does not choose who has the identity', () => {
    const older = entry('cn=older,dc=x', { uid: 'k2', givenName: 'Older' });
    const newer = entry('cn=newer,dc=x', { uid: 'k2', givenName: 'Newer' });
    for (const order of [[older, newer], [newer, older]]) {
      const batch = entriesToBatch(order, rules, new Map(), true);
      expect(batch.records).toEqual([]);
      expect(batch.problems.map((p) => p.key)).toEqual(['k2', 'k2']);
    }
  });

  it('an entry returned twice (the same DN in another spelling) is not a second holder', () => {
    const batch = entriesToBatch([entry('cn=a,dc=x', { uid: 'k' }), entry('CN=A, DC=X', { uid: 'k' })], rules, new Map(), true);
    expect(batch.records.map((r) => r.key)).toEqual(['k']);
    expect(batch.problems).toEqual([{ line: 2, key: 'k', message: 'entry CN=A, DC=X has uid "k", already used by cn=a,dc=x' }]);
  });
});

describe('keepTurnedDownKeys (syncrepl, review 13)', () => {
  const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const before = { [U(1)]: 'D1', [U(2)]: 'D2' };
  const typo = entry('cn=alice,dc=x', { uid: 'D2' });
  const read: SyncRead = { entries: [{ state: 'modify', uuid: U(1), entry: typo }], infos: [], refreshDeletes: true, cookie: undefined };

  it('an entry the batch turned down keeps the key it had: not a key change, nobody gone', () => {
    const changes = syncChanges(before, read, { key: 'uid' });
    expect(changes.gone).toEqual(['D1']);
    const kept = keepTurnedDownKeys(changes, read, before, new Set());
    expect(kept.gone).toEqual([]);
    expect(kept.keys).toEqual(before);
  });

  it('an entry the batch recorded changes its key as before', () => {
    const changes = syncChanges(before, read, { key: 'uid' });
    expect(keepTurnedDownKeys(changes, read, before, new Set([1]))).toBe(changes);
  });

  it('a full refresh: an entry turned down keeps the key the stored cursor had for it, with a problem naming it; a new one adds nothing', () => {
    const bob = entry('cn=bob,dc=x', { uid: 'D2' });
    const fresh = entry('cn=fresh,dc=x', { uid: 'D2' });
    const entries = [{ uuid: U(1), entry: typo }, { uuid: U(2), entry: bob }, { uuid: U(3), entry: fresh }];
    const batch = entriesToBatch(entries.map((e) => e.entry), rules, new Map(), true);
    expect(batch.records).toEqual([]);
    const keys = { [U(1)]: 'D2', [U(2)]: 'D2', [U(3)]: 'D2' };
    const kept = keepTurnedDownInFull(batch, { entries, keys, known: before });
    expect(kept.keys).toEqual({ [U(1)]: 'D1', [U(2)]: 'D2', [U(3)]: 'D2' });
    expect(kept.batch.problems.filter((p) => p.key === 'D1')).toEqual([
      { line: 1, key: 'D1', entry: U(1), message: 'entry cn=alice,dc=x had "D1" as its key at the last pass and cannot be used in this one: "D1" is not taken for gone' },
    ]);
    expect(kept.batch.problems).toHaveLength(4);
    expect(keepTurnedDownInFull(batch, { entries, keys, known: undefined }).batch).toBe(batch);
  });
});
