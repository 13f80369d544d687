import { describe, expect, it } from 'vitest';
import { testLifecycle, testSource } from '../policy/test-config.js';
import { parseCsv } from '../sources/csv.js';
import { parseJson } from '../sources/json.js';
import type { SourceBatch } from '../core/types.js';
import { company } from './merge-fixtures.js';
import { mergeBatch } from './merge.js';

const EARLIER = new Date('2025-06-01T08:00:00.000Z');
const NOW = new Date('2026-03-10T12:00:00.000Z');
const rules = { sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'] };
const HEADER = 'employeeId,givenName,familyName,email,department,title,employmentType,status,startDate,endDate,managerId';

function ingest(batch: SourceBatch, n = 10) {
  const { identities } = company(n, EARLIER);
  return mergeBatch({ batch, existing: new Map(identities.map((i) => [i.id, i])), source: testSource(), lifecycle: testLifecycle(), now: NOW });
}

const codes = (result: ReturnType<typeof ingest>): string[] => result.diagnostics.map((d) => `${d.severity}:${d.code}`);

describe('an empty or truncated HR file holds the plan (review6)', () => {
  it('an empty CSV file (0 bytes) is a truncated snapshot, not just a warning', () => {
    const result = ingest(parseCsv('', rules));
    expect(result.missing).toEqual([]);
    expect(codes(result)).toEqual(['error:source.truncated']);
  });

  it('an empty or blank JSON file is a truncated snapshot', () => {
    expect(codes(ingest(parseJson('', rules)))).toEqual(['error:source.truncated']);
    expect(codes(ingest(parseJson('\n  \n', rules)))).toEqual(['error:source.truncated']);
  });

  it('a file cut short is held even when a keyless row is in what is left', () => {
    // The key is the second column: the row cut in its first column has no key.
    const { rows } = company(10, EARLIER);
    const head = 'givenName,employeeId';
    const lines = rows.slice(0, 3).map((r) => `${String(r.givenName)},${String(r.employeeId)}`);
    const result = ingest(parseCsv([head, ...lines, 'Ja'].join('\n'), rules));
    expect(result.missing).toEqual([]);
    expect(codes(result)).toContain('error:source.truncated');
  });

  it('a keyless row still only suppresses (no hold) when the keyless rows could be the people missing', () => {
    const { rows } = company(10, EARLIER);
    const text = [HEADER, ...rows.slice(1).map((r) => HEADER.split(',').map((c) => String(r[c] ?? '')).join(',')), ',Jane,Doe,,,,,,,,'].join('\n');
    const result = ingest(parseCsv(text, rules));
    expect(result.missing).toEqual([]);
    expect(codes(result)).toEqual(['warning:source.missing_suppressed']);
  });
});
