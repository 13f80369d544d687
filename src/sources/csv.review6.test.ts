import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { parseJson } from './json.js';

const rules = { sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'] };

describe('parseCsv: rows of empty cells (review6)', () => {
  // Before, each was a row without a key, which suppresses every leaver of the file (missing.ts).
  it('ignores rows whose every cell is empty (Excel writes them under a formatted table) or blank, like blank lines', () => {
    const text = 'employeeId,givenName,startDate\r\nE1,Ann,2024-01-02\r\n,,\r\n , ,\r\nE2,Bob,\r\n,,\r\n   \r\n\t\r\n,,\r\n';
    const batch = parseCsv(text, rules);
    expect(batch.records.map((r) => [r.key, r.line])).toEqual([['E1', 2], ['E2', 5]]);
    expect(batch.problems).toEqual([]);
    expect(batch.rowsRead).toBe(2);
  });

  it('still reports a row with an empty key when another cell holds something', () => {
    const batch = parseCsv('employeeId,givenName\n,Ann\n,,x\n', rules);
    expect(batch.problems).toEqual([
      { line: 2, message: 'missing key: column "employeeId" is empty' },
      { line: 3, message: 'expected 2 columns, found 3' },
    ]);
  });
});

describe('sources: text that was not UTF-8 (review6)', () => {
  const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

  it('reports a CSV row holding bytes that are not UTF-8, with its line and key, instead of renaming the person to U+FFFD', () => {
    const bytes = latin1('employeeId,givenName,familyName\nE1,Zoë,Müller\nE2,Ann,Lee\n');
    const batch = parseCsv(bytes, rules);
    expect(batch.records.map((r) => r.key)).toEqual(['E2']);
    expect(batch.problems).toEqual([
      { line: 2, key: 'E1', message: 'column "givenName" is not valid UTF-8' },
    ]);
    // The same from the text csv-parse reads (the file is not regular CSV: csv-parse takes it).
    const irregular = latin1('employeeId,givenName,familyName\nE1,"Zoë" ,Müller\n');
    expect(() => parseCsv(irregular, rules)).toThrow(/CSV cannot be read/);
    const slow = parseCsv(latin1('employeeId,givenName\nE1,Zoë\nE2,"x""y"\n'), rules);
    expect(slow.problems.map((p) => [p.line, p.key])).toEqual([[2, 'E1']]);
  });

  it('a key that is not UTF-8 cannot be read: the row is reported without a key (it protects nobody by a wrong key)', () => {
    const batch = parseCsv(latin1('employeeId,givenName\nÉ1,Ann\n'), rules);
    expect(batch.records).toEqual([]);
    expect(batch.problems).toEqual([{ line: 2, message: 'column "employeeId" is not valid UTF-8' }]);
    const json = parseJson(latin1('{"employeeId":"É1","givenName":"Ann"}\n').toString('utf8'), rules);
    expect(json.problems).toEqual([{ line: 1, message: 'field "employeeId" is not valid UTF-8' }]);
  });

  it('refuses a header that is not UTF-8: every row would carry a column of another name', () => {
    expect(() => parseCsv(latin1('employeeId,Prénom\nE1,Ann\n'), rules)).toThrow('CSV header: column 2 is not valid UTF-8 (save the file as UTF-8)');
    expect(() => parseCsv('employeeId,name\u0000\nE1,Ann\n', rules)).toThrow('CSV header: column 2 holds a NUL character');
  });

  it('reports a JSON record holding text that was not UTF-8', () => {
    const batch = parseJson(latin1('[{"employeeId":"E1","givenName":"Zoë"},{"employeeId":"E2","givenName":"Ann"}]').toString('utf8'), rules);
    expect(batch.records.map((r) => r.key)).toEqual(['E2']);
    expect(batch.problems).toEqual([
      { line: 1, key: 'E1', message: 'field "givenName" is not valid UTF-8' },
    ]);
  });

  it('reports a JSON record whose escapes make a NUL or a lone surrogate (PostgreSQL cannot store them)', () => {
    const batch = parseJson('[{"employeeId":"E1","givenName":"A\\u0000"},{"employeeId":"E2","title":"\\ud800"},{"employeeId":"E3","title":"\\u00e9 \\ud83d\\ude00"}]', rules);
    expect(batch.records.map((r) => [r.key, r.attributes.title])).toEqual([['E3', 'é 😀']]);
    expect(batch.problems).toEqual([
      { line: 1, key: 'E1', message: 'field "givenName" holds a NUL character' },
      { line: 2, key: 'E2', message: 'field "title" holds a lone UTF-16 surrogate' },
    ]);
  });
});
