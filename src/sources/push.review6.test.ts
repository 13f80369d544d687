import { describe, expect, it } from 'vitest';
import { parsePushBody } from './push.js';

const options = {
  sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'],
  now: new Date('2026-11-27T10:00:00.000Z'), statusField: 'status', endDateField: 'endDate',
};

describe('parsePushBody: a terminate whose end date is not a date (review6)', () => {
  it('reports an end date of the wrong type instead of terminating the person now', () => {
    const batch = parsePushBody({ records: [
      { _action: 'terminate', employeeId: 'E1', endDate: 20261231 },
      { _action: 'terminate', employeeId: 'E2', endDate: true },
      { _action: 'terminate', employeeId: 'E3', endDate: { date: '2026-12-31' } },
    ] }, options);
    expect(batch.records).toEqual([]);
    expect(batch.problems).toEqual([
      { line: 1, key: 'E1', message: 'column "endDate" is not an ISO date (YYYY-MM-DD or date-time): "20261231"' },
      { line: 2, key: 'E2', message: 'column "endDate" is not an ISO date (YYYY-MM-DD or date-time): "true"' },
      { line: 3, key: 'E3', message: 'field "endDate" is a nested object: only strings, numbers, booleans and null are accepted' },
    ]);
  });

  it('still takes now for a terminate without an end date, null or blank', () => {
    const batch = parsePushBody({ records: [
      { _action: 'terminate', employeeId: 'E1' },
      { _action: 'terminate', employeeId: 'E2', endDate: null },
      { _action: 'terminate', employeeId: 'E3', endDate: '  ' },
    ] }, options);
    expect(batch.problems).toEqual([]);
    expect(batch.records.map((r) => r.attributes.endDate)).toEqual(Array(3).fill('2026-11-27T10:00:00.000Z'));
  });
});
