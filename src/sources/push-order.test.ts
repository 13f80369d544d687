import { describe, expect, it } from 'vitest';
import { isRosterError } from '../core/errors.js';
import { parsePushBody, type PushOptions } from './push.js';

const options: PushOptions = {
  sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'],
  now: new Date('2026-11-27T12:00:00Z'), statusField: 'status', endDateField: 'endDate',
};

const refusal = (records: unknown[]): string => {
  try {
    parsePushBody({ records }, options);
  } catch (error) {
    if (isRosterError(error) && error.code === 'request.invalid') return error.message;
    throw error;
  }
  throw new Error('not refused');
};

describe('parsePushBody: _changedAt', () => {
  it('takes _changedAt out of the attributes and reads it with its offset, to the millisecond', () => {
    const batch = parsePushBody({ records: [
      { employeeId: 'E1', givenName: 'Ann', _changedAt: '2026-11-27T18:00:00.1239+01:00' },
      { employeeId: 'E2', _action: 'terminate', _changedAt: '2026-11-27T17:00:00Z' },
      { employeeId: 'E3' },
    ] }, options);
    expect(batch.records.map((r) => r.attributes)).toEqual([
      { employeeId: 'E1', givenName: 'Ann' },
      { employeeId: 'E2', status: 'terminated', endDate: '2026-11-27T12:00:00.000Z' },
      { employeeId: 'E3' },
    ]);
    expect([...batch.changedAt]).toEqual([[1, Date.parse('2026-11-27T17:00:00.123Z')], [2, Date.parse('2026-11-27T17:00:00Z')]]);
    expect(batch.superseded).toEqual([]);
  });

  it('keeps the record of a person with the latest _changedAt (of equal ones the first), whatever the body order', () => {
    const batch = parsePushBody({ records: [
      { employeeId: 'E1', department: 'A', _changedAt: '2026-11-27T09:00:00Z' },
      { employeeId: 'E1', department: 'B', _changedAt: '2026-11-27T10:00:00Z' },
      { employeeId: 'E1', department: 'C' },
      { employeeId: 'E1', department: 'D', _changedAt: '2026-11-27T11:00:00+01:00' },
      { employeeId: 'E2', department: 'X' },
      { employeeId: 'E2', department: 'Y' },
    ] }, options);
    expect(batch.records.map((r) => [r.key, r.attributes.department, r.line])).toEqual([['E1', 'B', 2], ['E2', 'X', 5]]);
    const latest = '2026-11-27T10:00:00.000Z';
    expect(batch.superseded).toEqual([
      { line: 1, key: 'E1', changedAt: '2026-11-27T09:00:00.000Z', latest, reason: 'superseded_in_batch' },
      { line: 3, key: 'E1', latest, reason: 'superseded_in_batch' },
      { line: 4, key: 'E1', changedAt: latest, latest, reason: 'superseded_in_batch' },
    ]);
    // Without _changedAt, as before: the later record of a key is a duplicate-key problem.
    expect(batch.problems).toEqual([{ line: 6, key: 'E2', message: 'duplicate key "E2" on line 6: first seen on line 5' }]);
  });

  it.each([
    [1764230400000, '1764230400000'],
    ['2026-11-27T09:00Z', '"2026-11-27T09:00Z"'],
    ['2026-11-27 09:00:00Z', '"2026-11-27 09:00:00Z"'],
    ['2026-13-01T09:00:00Z', '"2026-13-01T09:00:00Z"'],
    ['2026-02-29T09:00:00Z', '"2026-02-29T09:00:00Z"'],
    ['', '""'],
  ])('refuses %j naming the record index', (value, shown) => {
    expect(refusal([{ employeeId: 'E1' }, { employeeId: 'E2' }, { employeeId: 'E3', _changedAt: value }]))
      .toBe(`records[2]._changedAt is ${shown}: expected an ISO-8601 date-time with seconds and an offset, `
        + 'e.g. "2026-11-27T17:00:00Z" or "2026-11-27T18:00:00+01:00"');
  });
});
