import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

const rules = { sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'] };

/** A record's attributes as they were built before recordShape: the columns added one by one to `{}`. */
function addedOneByOne(columns: readonly string[], cells: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  columns.forEach((column, index) => { values[column] = cells[index]!.trim(); });
  return values;
}

describe('parseCsv record objects (csv.ts recordShape)', () => {
  it('gives every record of a wide file its own object with every column, in header order', () => {
    const columns = ['employeeId', 'startDate', 'endDate', ...Array.from({ length: 37 }, (_, i) => `extra${i}`)];
    const rows = [1, 2, 3].map((n) => [`E${n}`, '2024-01-02', n === 2 ? '2025-01-01' : '', ...columns.slice(3).map((c, i) => (i % 5 === n ? '' : ` ${c}-${n} `))]);
    const text = [columns.join(','), ...rows.map((cells) => cells.join(','))].join('\n');
    const batch = parseCsv(text, rules);
    expect(batch.problems).toEqual([]);
    expect(batch.records.map((r) => r.attributes)).toStrictEqual(rows.map((cells) => addedOneByOne(columns, cells)));
    for (const record of batch.records) expect(Object.keys(record.attributes)).toEqual(columns);
    expect(batch.records[0]!.attributes).not.toBe(batch.records[1]!.attributes);
    expect(batch.records[0]!.attributes.extra4).toBe('extra4-1');
    expect(batch.records[2]!.attributes.extra4).toBe('extra4-3');
  });

  it('builds records as before when a column name is __proto__ or an array index', () => {
    const columns = ['employeeId', '__proto__', '10', 'toJSON', 'name'];
    const cells = ['E1', 'x', 'ten', 'y', 'Ann'];
    const batch = parseCsv(`${columns.join(',')}\n${cells.join(',')}\n`, rules);
    const attributes = batch.records[0]!.attributes;
    expect(attributes).toStrictEqual(addedOneByOne(columns, cells));
    expect(Object.keys(attributes)).toEqual(['10', 'employeeId', 'toJSON', 'name']);
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(JSON.stringify(attributes)).toBe('{"10":"ten","employeeId":"E1","toJSON":"y","name":"Ann"}');
  });
});
