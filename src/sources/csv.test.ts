import { describe, expect, it } from 'vitest';
import { isRosterError } from '../core/errors.js';
import { parseCsv } from './csv.js';

const rules = { sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'] };

describe('parseCsv', () => {
  it('reads good rows with trimmed values and empty cells as ""', () => {
    const batch = parseCsv('employeeId,givenName,startDate,endDate\nE1, Ann ,2024-01-02,\nE2,Bob,2024-02-03T09:00:00Z,2025-01-01\n', rules);
    expect(batch).toMatchObject({ sourceId: 'hr', complete: true, rowsRead: 2, problems: [] });
    expect(batch.records).toEqual([
      { key: 'E1', line: 2, attributes: { employeeId: 'E1', givenName: 'Ann', startDate: '2024-01-02', endDate: '' } },
      { key: 'E2', line: 3, attributes: { employeeId: 'E2', givenName: 'Bob', startDate: '2024-02-03T09:00:00Z', endDate: '2025-01-01' } },
    ]);
  });

  it('strips a BOM and reads CRLF line endings', () => {
    const batch = parseCsv('\uFEFFemployeeId,givenName\r\nE1,Ann\r\nE2,Bob\r\n', rules);
    expect(batch.records.map((r) => [r.key, r.line, r.attributes.givenName])).toEqual([['E1', 2, 'Ann'], ['E2', 3, 'Bob']]);
    expect(Object.keys(batch.records[0]!.attributes)).toEqual(['employeeId', 'givenName']);
  });

  it('keeps commas, quotes and line breaks inside quoted fields and counts physical lines', () => {
    const text = 'employeeId,title,note\nE1,"Head of Sales, EMEA","said ""hi"""\nE2,Engineer,"two\r\nlines"\nE3,Analyst,x,extra\n';
    const batch = parseCsv(text, rules);
    expect(batch.records[0]!.attributes).toMatchObject({ title: 'Head of Sales, EMEA', note: 'said "hi"' });
    expect(batch.records[1]).toMatchObject({ key: 'E2', line: 3, attributes: { note: 'two\r\nlines' } });
    expect(batch.problems).toEqual([{ line: 5, key: 'E3', message: 'expected 3 columns, found 4' }]);
    expect(batch.rowsRead).toBe(3);
  });

  it('reads Unicode names and counts lines after multi-byte characters', () => {
    const text = 'employeeId,givenName,familyName\nE1,Zoë,Łukasiewicz\nE2,伟,李\nE3,Søren\n';
    const batch = parseCsv(text, rules);
    expect(batch.records.map((r) => `${String(r.attributes.givenName)} ${String(r.attributes.familyName)}`)).toEqual(['Zoë Łukasiewicz', '伟 李']);
    expect(batch.problems).toEqual([{ line: 4, key: 'E3', message: 'expected 3 columns, found 2' }]);
  });

  it('reports too few and too many columns per row without stopping', () => {
    const batch = parseCsv('employeeId,a,b\nE1,1\nE2,1,2\n,1,2,3\n', rules);
    expect(batch.records.map((r) => r.key)).toEqual(['E2']);
    expect(batch.problems).toEqual([
      { line: 2, key: 'E1', message: 'expected 3 columns, found 2' },
      { line: 4, message: 'expected 3 columns, found 4' },
    ]);
  });

  it('reports a missing or empty key', () => {
    const batch = parseCsv('employeeId,givenName\n ,Ann\nE2,Bob\n', rules);
    expect(batch.problems).toEqual([{ line: 2, message: 'missing key: column "employeeId" is empty' }]);
    expect(batch.rowsRead).toBe(2);
  });

  it('reports the later row of a duplicate key, naming both lines', () => {
    const batch = parseCsv('employeeId,givenName\nE1,Ann\nE2,Bob\nE1,Other\n', rules);
    expect(batch.records.map((r) => r.attributes.givenName)).toEqual(['Ann', 'Bob']);
    expect(batch.problems).toEqual([{ line: 4, key: 'E1', message: 'duplicate key "E1" on line 4: first seen on line 2' }]);
  });

  it('reports a date field that is not an ISO date, naming column and value', () => {
    const text = 'employeeId,startDate,endDate\nE1,27/11/2026,\nE2,2026-02-30,\nE3,2026-01-01,2026-13-01T00:00:00Z\nE4,2026-01-01,2026-12-31T23:59:59.123+01:00\n';
    const batch = parseCsv(text, rules);
    expect(batch.records.map((r) => r.key)).toEqual(['E4']);
    expect(batch.problems).toEqual([
      { line: 2, key: 'E1', message: 'column "startDate" is not an ISO date (YYYY-MM-DD or date-time): "27/11/2026"' },
      { line: 3, key: 'E2', message: 'column "startDate" is not an ISO date (YYYY-MM-DD or date-time): "2026-02-30"' },
      { line: 4, key: 'E3', message: 'column "endDate" is not an ISO date (YYYY-MM-DD or date-time): "2026-13-01T00:00:00Z"' },
    ]);
  });

  it('treats an empty file as a problem with no rows, and a header-only file as no rows', () => {
    expect(parseCsv('', rules)).toEqual({ sourceId: 'hr', records: [], problems: [{ line: 1, message: 'empty file: no header row' }], complete: true, rowsRead: 0 });
    expect(parseCsv('employeeId,givenName\r\n', rules)).toEqual({ sourceId: 'hr', records: [], problems: [], complete: true, rowsRead: 0 });
  });

  it('skips blank lines without counting them, keeping line numbers physical', () => {
    const batch = parseCsv('employeeId,x\n\nE1,a\n\n\nE2\n', rules);
    expect(batch.records).toMatchObject([{ key: 'E1', line: 3 }]);
    expect(batch.problems).toMatchObject([{ line: 6, key: 'E2' }]);
    expect(batch.rowsRead).toBe(2);
  });

  it('counts every line break of a multi-line field and blank lines before the header', () => {
    const batch = parseCsv('\r\nemployeeId,note\r\nE1,"a\r\nb\r\n\r\nc"\r\nE2,x,y\r\n', rules);
    expect(batch.records).toMatchObject([{ key: 'E1', line: 3, attributes: { note: 'a\r\nb\r\n\r\nc' } }]);
    expect(batch.problems).toMatchObject([{ line: 7, key: 'E2' }]);
  });

  it('uses another delimiter when asked', () => {
    const batch = parseCsv('employeeId;title\nE1;Head of Sales, EMEA\n', { ...rules, delimiter: ';' });
    expect(batch.records[0]!.attributes.title).toBe('Head of Sales, EMEA');
  });

  it('throws source.malformed for a header without the key column, duplicate columns or broken quoting', () => {
    const fails = (text: string): unknown => {
      try { parseCsv(text, rules); } catch (error) { return error; }
      return undefined;
    };
    const noKey = fails('id,name\n1,Ann\n');
    expect(isRosterError(noKey, 'source.malformed') && noKey.message).toContain('no key column "employeeId"');
    const twice = fails('employeeId,name,name\n1,a,b\n');
    expect(isRosterError(twice, 'source.malformed') && twice.message).toContain('"name" appears twice');
    const quote = fails('employeeId,name\nE1,"unclosed\nE2,b\n');
    expect(isRosterError(quote, 'source.malformed')).toBe(true);
  });

  it('reads a file the fast splitter leaves to csv-parse (a quote inside an unquoted field is an error there) and reports it first', () => {
    const fails = (input: string | Buffer): unknown => {
      try { parseCsv(input, rules); } catch (error) { return error; }
      return undefined;
    };
    const stray = fails('employeeId,name\nE1,"a"\nE2,b"c\n');
    expect(isRosterError(stray, 'source.malformed') && stray.message).toMatch(/^CSV cannot be read near line 3: Invalid Opening Quote/);
    // A bad header and broken quoting later on: the file cannot be read at all, and that is what is said.
    const both = fails(Buffer.from('id,name\n1,Ann\n2,"unclosed\n'));
    expect(isRosterError(both, 'source.malformed') && both.message).toMatch(/^CSV cannot be read/);
  });

  it('reads bytes as the decoded text: bytes that are not UTF-8 become U+FFFD, and the row is reported (review6)', () => {
    const bytes = Buffer.concat([Buffer.from('employeeId,name\nE1,'), Buffer.from([0xff, 0x41]), Buffer.from('\n')]);
    expect(parseCsv(bytes, rules)).toEqual(parseCsv(bytes.toString('utf8'), rules));
    expect(parseCsv(bytes, rules).problems).toEqual([{ line: 2, key: 'E1', message: 'column "name" is not valid UTF-8' }]);
  });
});
