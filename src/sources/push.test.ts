import { describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import { MAX_PUSH_RECORDS, parsePushBody } from './push.js';

const options = {
  sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'],
  now: new Date('2026-11-27T10:00:00.000Z'), statusField: 'status', endDateField: 'endDate',
};

function invalid(body: unknown): RosterError {
  try {
    parsePushBody(body, options);
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected parsePushBody to throw');
}

describe('parsePushBody', () => {
  it('upserts by default and is never a complete snapshot', () => {
    const batch = parsePushBody({ records: [{ employeeId: 'E1', givenName: 'Ann' }, { _action: 'upsert', employeeId: 'E2', level: 3 }] }, options);
    expect(batch).toMatchObject({ sourceId: 'hr', complete: false, rowsRead: 2, problems: [] });
    expect(batch.records).toEqual([
      { key: 'E1', line: 1, attributes: { employeeId: 'E1', givenName: 'Ann' } },
      { key: 'E2', line: 2, attributes: { employeeId: 'E2', level: '3' } },
    ]);
  });

  it('turns terminate into status terminated with the given end date or now', () => {
    const batch = parsePushBody({ records: [
      { _action: 'terminate', employeeId: 'E1' },
      { _action: 'terminate', employeeId: 'E2', endDate: '2026-12-31' },
    ] }, options);
    expect(batch.records).toEqual([
      { key: 'E1', line: 1, attributes: { employeeId: 'E1', status: 'terminated', endDate: '2026-11-27T10:00:00.000Z' }, endsOnArrival: true },
      { key: 'E2', line: 2, attributes: { employeeId: 'E2', status: 'terminated', endDate: '2026-12-31' } },
    ]);
  });

  it('reports per-record problems with line = index + 1', () => {
    const batch = parsePushBody({ records: [
      { _action: 'fire', employeeId: 'E1' },
      { _action: 'terminate' },
      { employeeId: 'E3', endDate: 'soon' },
      { _action: 'terminate', employeeId: 'E4', endDate: '31.12.2026' },
      { employeeId: 'E5', manager: { id: 'E1' } },
      { employeeId: 'E6' },
      { employeeId: 'E6' },
    ] }, options);
    expect(batch.records.map((r) => r.key)).toEqual(['E6']);
    expect(batch.problems).toEqual([
      { line: 1, key: 'E1', message: 'unknown _action "fire": expected "upsert" or "terminate"' },
      { line: 2, message: 'missing key: column "employeeId" is empty' },
      { line: 3, key: 'E3', message: 'column "endDate" is not an ISO date (YYYY-MM-DD or date-time): "soon"' },
      { line: 4, key: 'E4', message: 'column "endDate" is not an ISO date (YYYY-MM-DD or date-time): "31.12.2026"' },
      { line: 5, key: 'E5', message: 'field "manager" is a nested object: only strings, numbers, booleans and null are accepted' },
      { line: 7, key: 'E6', message: 'duplicate key "E6" on line 7: first seen on line 6' },
    ]);
    expect(batch.rowsRead).toBe(7);
  });

  it('accepts an empty records array', () => {
    expect(parsePushBody({ records: [] }, options)).toMatchObject({ records: [], problems: [], rowsRead: 0, complete: false });
  });

  it('refuses a body of the wrong shape with request.invalid', () => {
    expect(invalid(null)).toMatchObject({ code: 'request.invalid', message: expect.stringContaining('got null') });
    expect(invalid([{ employeeId: 'E1' }])).toMatchObject({ code: 'request.invalid', message: expect.stringContaining('got an array') });
    expect(invalid({ record: [] })).toMatchObject({ code: 'request.invalid', message: 'push body must have a "records" array' });
    expect(invalid({ records: [{ employeeId: 'E1' }, 7] })).toMatchObject({ code: 'request.invalid', message: 'records[1] is a number, not an object' });
  });

  it('refuses more than the maximum number of records', () => {
    const records = Array.from({ length: MAX_PUSH_RECORDS + 1 }, (_, i) => ({ employeeId: `E${i}` }));
    expect(invalid({ records })).toMatchObject({ code: 'request.invalid', message: expect.stringContaining('10001 records') });
    expect(parsePushBody({ records: records.slice(1) }, options).records).toHaveLength(MAX_PUSH_RECORDS);
  });
});
