import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import type { Identity, SourceProblem } from '../core/types.js';
import { NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { sourceProblemsHold } from '../reconcile/source-problems.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { continueKeys } from './continued.js';
import { batchOf, company, merge, seed } from './merge-fixtures.js';
import { mergeBatch } from './merge.js';
import { respellKeys } from './respelled.js';

/**
 * A directory source's "line" is only where an entry came in the server's answer: every message a user reads names a
 * directory entry by its key (and its DN, where the problem has it), never by that line; a file's rows keep their
 * wording exactly (review 22).
 */
const EARLIER = new Date('2025-06-01T08:00:00.000Z');
const ldap = testSource({ type: 'ldap' });
const csv = testSource();
const noKey: SourceProblem = { line: 4, message: 'entry cn=ghost,ou=people,dc=example,dc=com has no employeeNumber: it cannot be correlated', entry: 'u-ghost' };
const message = (result: { diagnostics: readonly { code: string; message: string }[] }, code: string): string =>
  result.diagnostics.find((d) => d.code === code)?.message ?? `no ${code}`;

function mergeWith(continuation: ReturnType<typeof continueKeys>, existing: Map<string, Identity>, source: SourceConfig) {
  return mergeBatch({ batch: continuation.batch, existing, source, lifecycle: testLifecycle(), now: NOW, continuation });
}

describe('a snapshot with an entry without a readable key (source.missing_suppressed)', () => {
  it('a directory source names the entry by its DN, not "line 4"', () => {
    const { rows, identities } = company(10, EARLIER);
    const result = merge(rows.slice(1), { existing: identities, complete: true, source: ldap, problems: [noKey] });
    expect(result.missing).toEqual([]);
    expect(message(result, 'source.missing_suppressed')).toBe(
      'hr: 1 entry without a readable key (entry cn=ghost,ou=people,dc=example,dc=com has no employeeNumber: it cannot be correlated); '
        + 'nobody is treated as gone from this snapshot until they are fixed',
    );
  });

  it('a file keeps its wording: rows and their lines', () => {
    const { rows, identities } = company(10, EARLIER);
    const result = merge(rows.slice(1), { existing: identities, complete: true, source: csv, problems: [{ line: 4, message: 'wrong column count' }] });
    expect(message(result, 'source.missing_suppressed')).toBe(
      'hr: 1 row(s) without a readable key (line 4); nobody is treated as gone from this snapshot until they are fixed',
    );
  });

  it('a truncated directory read counts entries, not rows', () => {
    const { rows, identities } = company(10, EARLIER);
    const result = merge(rows.slice(5), { existing: identities, complete: true, source: ldap, problems: [noKey] });
    expect(message(result, 'source.truncated')).toBe('source hr looks truncated: 5 of 10 people would be gone (50%); the limit is 20% (2 people), '
      + 'and 1 entry has no readable key. Nobody was marked as gone; check the directory read (its base and filter)');
    const file = merge(rows.slice(5), { existing: identities, complete: true, source: csv, problems: [{ line: 4, message: 'wrong column count' }] });
    expect(message(file, 'source.truncated')).toMatch(/, and 1 row\(s\) have no readable key\. Nobody was marked as gone; check the file$/);
  });
});

describe('the merge names a directory record by its key', () => {
  it('a date it cannot read: "hr E1", the entry ignored (a file: "hr line 2", the row)', () => {
    const bad = [person('E1', { startDate: '2026-02-30T25:00:00Z' })];
    expect(message(merge(bad, { source: ldap }), 'source.invalid_date')).toMatch(/^hr E1: "2026-02-30T25:00:00Z" is not a date .*; the entry is ignored$/);
    expect(message(merge(bad, { source: csv }), 'source.invalid_date')).toMatch(/^hr line 2: "2026-02-30T25:00:00Z" is not a date .*; the row is ignored$/);
  });

  it('a key read twice', () => {
    const twice = [person('E1'), person('E1', { title: 'Lead' })];
    expect(message(merge(twice, { source: ldap }), 'source.duplicate_key')).toBe('hr: key E1 is on more than one entry; the last one read wins');
    expect(message(merge(twice, { source: csv }), 'source.duplicate_key')).toBe('hr: key E1 appears more than once (line 3); the last row wins');
  });

  it('a previous key: the continuation and a previous key nobody has', () => {
    const fields = { ...csv.fields, previousKey: 'previousEmployeeId' };
    const left = merge([person('E100', { status: 'terminated', endDate: '2025-06-30' })], {
      existing: [seed(person('E100'), new Date('2024-01-15T08:00:00.000Z'))], now: new Date('2025-06-30T08:00:00.000Z'),
    }).upserts[0]!;
    const rows = [person('E200', { previousEmployeeId: 'E100', startDate: '2026-03-01' }), person('E300', { previousEmployeeId: 'E999' })];
    const run = (type: 'ldap' | 'csv') => {
      const source = testSource({ type, fields });
      const existing = new Map([[left.id, left]]);
      const continuation = continueKeys({ batch: batchOf(rows), existing, keys: new Map(), source, lifecycle: testLifecycle(), now: NOW });
      return [...continuation.diagnostics, ...mergeWith(continuation, existing, source).diagnostics];
    };
    const directory = run('ldap');
    expect(directory.find((d) => d.code === 'source.previous_key_ignored')?.message)
      .toMatch(/^hr: key E300 names E999 as its previous key, a key no identity/);
    expect(directory.find((d) => d.code === 'source.key_continued')?.message).toMatch(/^hr: key E200 continues E100 \(its previous key\)/);
    expect(directory.map((d) => d.message).join('\n')).not.toMatch(/line/);
    const file = run('csv');
    expect(file.find((d) => d.code === 'source.previous_key_ignored')?.message).toMatch(/^hr line 3: key E300 names E999/);
    expect(file.find((d) => d.code === 'source.key_continued')?.message).toMatch(/^hr line 2: key E200 continues E100/);
  });
});

describe('a key respelled in letter case (source.key_respelled)', () => {
  it('a directory record (entry set) is named by its key; the diagnostic keeps its line for JSON', () => {
    const stored = seed(person('E7'), EARLIER);
    const record = (entry?: string) => ({ key: 'e7', attributes: person('e7'), line: 3, ...(entry === undefined ? {} : { entry }) });
    const of = (entry?: string) => respellKeys({
      batch: { sourceId: 'hr', records: [record(entry)], problems: [], complete: false, rowsRead: 1 }, existing: new Map(), stored: [stored],
    }).diagnostics[0]!;
    const directory = of('u7');
    expect(directory.line).toBe(3);
    expect(directory.message).toMatch(/^hr: key "e7" is stored as "E7"/);
    expect(of().message).toMatch(/^hr: key "e7" \(line 3\) is stored as "E7"/);
  });
});

describe('the orphan hold names skipped directory entries by key and DN (reconcile.source_problems)', () => {
  let dir: string | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    store = undefined;
    dir = undefined;
  });

  async function hold(sourceId: string, problems: readonly SourceProblem[]): Promise<string> {
    dir = mkdtempSync(join(tmpdir(), 'roster-r22-wording-'));
    store = await openStore('sqlite:./roster.db', { baseDir: dir });
    await store.audit.append([{ kind: 'source.ingested', actor: 'system', data: { sourceId, problems } }]);
    return (await sourceProblemsHold(store, [sourceId], 'app'))?.message ?? 'no hold';
  }

  it('a directory entry: "corp E1128: entry <DN> …", entries to fix', async () => {
    const text = await hold('corp', [
      { line: 27, key: 'E1128', entry: 'u1128', message: 'entry uid=jo,ou=people,dc=example,dc=com: roster-start (startDate) is not a date (an ISO date, a date-time or a directory time): "soon"' },
    ]);
    expect(text).toBe(
      'app: orphan actions held: the last read of corp skipped 1 entry of people not in the store (corp E1128: entry uid=jo,ou=people,dc=example,dc=com: '
        + 'roster-start (startDate) is not a date (an ISO date, a date-time or a directory time): "soon"), so some orphans may be their accounts; '
        + 'fix the entry, read the sources again (roster plan or roster sync), then reconcile',
    );
  });

  it('a file keeps "hr line 3 (E2)" and rows', async () => {
    const text = await hold('hr', [{ line: 3, key: 'E2', message: 'expected 4 columns, found 3' }, { line: 4, message: 'missing key: column "employeeId" is empty' }]);
    expect(text).toBe(
      'app: orphan actions held: the last read of hr skipped 2 rows of people not in the store (hr line 3 (E2): expected 4 columns, found 3; '
        + 'hr line 4: missing key: column "employeeId" is empty), so some orphans may be their accounts; '
        + 'fix the rows, read the sources again (roster plan or roster sync), then reconcile',
    );
  });
});
