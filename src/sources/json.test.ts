import { describe, expect, it } from 'vitest';
import { isRosterError } from '../core/errors.js';
import { parseJson } from './json.js';

const rules = { sourceId: 'hr', key: 'employeeId', dateFields: ['startDate'] };

describe('parseJson', () => {
  it('reads an array of objects, converting scalars to strings and null to ""', () => {
    const text = JSON.stringify([
      { employeeId: 'E1', givenName: ' Zoë ', fte: 0.8, manager: true, endDate: null },
      { employeeId: 42, givenName: '李' },
    ]);
    const batch = parseJson(text, rules);
    expect(batch).toMatchObject({ complete: true, rowsRead: 2, problems: [] });
    expect(batch.records).toEqual([
      { key: 'E1', line: 1, attributes: { employeeId: 'E1', givenName: 'Zoë', fte: '0.8', manager: 'true', endDate: '' } },
      { key: '42', line: 2, attributes: { employeeId: '42', givenName: '李' } },
    ]);
  });

  it('reads JSON Lines with physical line numbers, a BOM, CRLF and blank lines', () => {
    const text = '\uFEFF{"employeeId":"E1"}\r\n\r\n{"employeeId":"E2"}\r\n{bad json}\r\n';
    const batch = parseJson(text, rules);
    expect(batch.records.map((r) => [r.key, r.line])).toEqual([['E1', 1], ['E2', 3]]);
    expect(batch.problems).toHaveLength(1);
    expect(batch.problems[0]).toMatchObject({ line: 4 });
    expect(batch.problems[0]!.message).toMatch(/^not valid JSON/);
    expect(batch.rowsRead).toBe(3);
  });

  it('reports nested values, non-objects, missing keys, duplicates and bad dates', () => {
    const text = JSON.stringify([
      { employeeId: 'E1', address: { city: 'Oslo' } },
      { employeeId: 'E2', groups: ['a'] },
      'E3',
      { givenName: 'NoKey' },
      { employeeId: 'E5', startDate: '2026-11-31' },
      { employeeId: 'E6' },
      { employeeId: 'E6' },
    ]);
    const batch = parseJson(text, rules);
    expect(batch.records.map((r) => r.key)).toEqual(['E6']);
    expect(batch.rowsRead).toBe(7);
    expect(batch.problems).toEqual([
      { line: 1, key: 'E1', message: 'field "address" is a nested object: only strings, numbers, booleans and null are accepted' },
      { line: 2, key: 'E2', message: 'field "groups" is an array: only strings, numbers, booleans and null are accepted' },
      { line: 3, message: 'record is a string, not an object' },
      { line: 4, message: 'missing key: column "employeeId" is empty' },
      { line: 5, key: 'E5', message: 'column "startDate" is not an ISO date (YYYY-MM-DD or date-time): "2026-11-31"' },
      { line: 7, key: 'E6', message: 'duplicate key "E6" on line 7: first seen on line 6' },
    ]);
  });

  it('treats an empty file as a problem and an empty array as no rows', () => {
    expect(parseJson('  \n', rules)).toMatchObject({ records: [], rowsRead: 0, problems: [{ line: 1, message: 'empty file: no records' }] });
    expect(parseJson('[]', rules)).toMatchObject({ records: [], rowsRead: 0, problems: [] });
  });

  it('throws source.malformed for an array that does not parse', () => {
    let caught: unknown;
    try { parseJson('[{"employeeId":"E1"},', rules); } catch (error) { caught = error; }
    expect(isRosterError(caught, 'source.malformed')).toBe(true);
  });
});
