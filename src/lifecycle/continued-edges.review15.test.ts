import { describe, expect, it } from 'vitest';
import type { Attributes, Identity, IdentityKey } from '../core/types.js';
import { NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { continueKeys } from './continued.js';
import { batchOf, seed } from './merge-fixtures.js';
import { mergeBatch, type MergeResult } from './merge.js';

const source = testSource({
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId', previousKey: 'previousEmployeeId' },
});
const HIRED = new Date('2024-01-15T08:00:00.000Z');
const LEFT = new Date('2025-06-30T08:00:00.000Z');

function leaver(id: string): Identity {
  const hired = seed(person(id), HIRED);
  return mergeBatch({
    batch: batchOf([person(id, { status: 'terminated', endDate: '2025-06-30' })]), existing: new Map([[id, hired]]), source, lifecycle: testLifecycle(), now: LEFT,
  }).upserts[0]!;
}

function merge(rows: readonly Attributes[], existing: readonly Identity[], keys: readonly IdentityKey[] = [], complete = false, now = NOW): MergeResult {
  const known = new Map(existing.map((i) => [i.id, i]));
  const continuation = continueKeys({
    batch: batchOf(rows, { complete }), existing: known, keys: new Map(keys.map((k) => [k.key, k])), source, lifecycle: testLifecycle(), now,
  });
  return mergeBatch({ batch: continuation.batch, existing: known, source, lifecycle: testLifecycle(), now, continuation });
}

const back = (key: string, previous: string): Attributes => person(key, { previousEmployeeId: previous, startDate: '2026-03-01' });

/** Review of fields.previousKey: pure edges (review15). */
describe('continueKeys + mergeBatch: edges of a rehire under a new key', () => {
  it('one key whose rows name the previous keys of two people continues neither (the last row does not pick one of them)', () => {
    const result = merge([back('E200', 'E100'), back('E200', 'E101'), person('E100', { status: 'terminated', endDate: '2025-06-30' })],
      [leaver('E100'), leaver('E101')]);
    expect(result.keys).toEqual([]);
    expect(result.upserts).toEqual([]);
    expect(result.created).toBe(0);
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['error source.previous_key_ambiguous', 'error source.previous_key_ambiguous']);
    expect(result.diagnostics[0]!.message).toMatch(/rows of key E200 name the previous keys of more than one person \(line 2 names E100/);
  });

  it('a new key that is a key of another source\'s person (continued there) is refused: that person keeps it', () => {
    const keys: IdentityKey[] = [{ key: 'E200', identityId: 'X1', sourceId: 'contractors', current: true, recordedAt: '2026-01-01T00:00:00.000Z' }];
    const result = merge([back('E200', 'E100')], [leaver('E100')], keys, true);
    expect(result.keys).toEqual([]);
    expect(result.upserts.filter((i) => i.id !== 'E100' || i.missingSince === undefined)).toEqual([]);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', code: 'source.previous_key_ambiguous', identity: 'E200' });
    expect(result.diagnostics[0]!.message).toMatch(/E200 is a key of identity X1 of source contractors; the row is skipped/);
  });

  it('a chain E100 → E200 → E300 in one snapshot that keeps every old row: the third key continues, the two former rows change nothing', () => {
    const left = leaver('E100');
    const keys: IdentityKey[] = [
      { key: 'E200', identityId: 'E100', sourceId: 'hr', current: true, recordedAt: '2026-01-01T00:00:00.000Z' },
      { key: 'E100', identityId: 'E100', sourceId: 'hr', current: false, recordedAt: '2026-01-01T00:00:00.000Z' },
    ];
    const result = merge([
      person('E100', { status: 'terminated', endDate: '2025-06-30' }),
      person('E200', { previousEmployeeId: 'E100', status: 'terminated', endDate: '2025-06-30' }),
      back('E300', 'E200'),
    ], [{ ...left, attributes: person('E200', { previousEmployeeId: 'E100', status: 'terminated', endDate: '2025-06-30' }) }], keys, true);
    expect(result.upserts.map((i) => [i.id, i.attributes.employeeId, i.state])).toEqual([['E100', 'E300', 'active']]);
    expect(result.keys.map((k) => [k.key, k.current])).toEqual([['E300', true], ['E200', false], ['E100', false]]);
    expect(result.missing).toEqual([]);
  });
});
