import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import type { Store } from '../store/types.js';
import { auditHash } from './chain.js';
import { csvField, exportAudit, exportAuditToFile, neutraliseFormula, type UnreadableEntry } from './export.js';
import { tamperableStore, type TamperableStore } from './testing.js';

async function capture(run: (out: PassThrough) => Promise<unknown>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await run(out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

/** What a spreadsheet would take for a formula (OWASP): the first character, also after white space. */
const FORMULA = /^[\s\0]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n\0]/;

/**
 * CSV formula injection: HR-supplied text (identity, actor, target, data)
 * starting with =, +, -, @ was written as is, and ran as a formula when an
 * auditor opened the export in Excel or LibreOffice.
 */
describe('CSV export neutralises formulas (review8)', () => {
  let t: TamperableStore;
  const hostile = {
    identity: '=HYPERLINK("http://evil","x")',
    actor: "+cmd|' /C calc'!A0",
    target: '@SUM(1+1)*cmd|\' /C calc\'!A0',
  };
  beforeEach(async () => {
    t = await tamperableStore();
    await t.store().audit.append([
      { kind: 'identity.joiner', ...hostile, data: { note: '=1+1' } },
      { kind: 'change.applied', actor: '-2+3+cmd|\' /C calc\'!A0', identity: '\t=1+1', target: '  =1+1', data: -5 },
      { kind: 'change.applied', actor: "'quoted", identity: '\r=1', target: '\uff1dSUM(1)', data: 'plain, "text"\nline' },
      { kind: 'change.applied', actor: 'system', identity: 'E1', target: 'app', reasons: ['r'], data: { a: 1 } },
    ]);
  });
  afterEach(async () => {
    await t.close();
  });

  it('no cell starts like a formula; each neutralised cell is the value with one quote prefixed', async () => {
    const text = await capture((out) => exportAudit(t.store(), 'csv', out));
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) if (value !== '-5') expect(value, `${column}: ${value}`).not.toMatch(FORMULA);
    }
    expect(rows[0]).toMatchObject({ identity: `'${hostile.identity}`, actor: `'${hostile.actor}`, target: `'${hostile.target}` });
    expect(JSON.parse(rows[0]!.data!)).toEqual({ note: '=1+1' }); // JSON text starts with { or ": never a formula
    expect(rows[1]).toMatchObject({ actor: '\'-2+3+cmd|\' /C calc\'!A0', identity: "'\t=1+1", target: "'  =1+1", data: '-5' });
    expect(rows[2]).toMatchObject({ actor: "''quoted", identity: "'\r=1", target: "'\uff1dSUM(1)" });
    expect(JSON.parse(rows[2]!.data!)).toBe('plain, "text"\nline');
    expect(rows[3]).toMatchObject({ actor: 'system', identity: 'E1', target: 'app', reasons: '["r"]', data: '{"a":1}' });
  });

  it('removing one leading quote from a cell that has one gives back the value exactly', async () => {
    const text = await capture((out) => exportAudit(t.store(), 'csv', out));
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    const entries = await t.store().audit.list();
    const undo = (cell: string) => (cell.startsWith("'") ? cell.slice(1) : cell);
    rows.forEach((row, n) => {
      for (const column of ['actor', 'identity', 'target'] as const) expect(undo(row[column]!)).toBe(entries[n]![column]);
    });
  });

  it('neutraliseFormula: OWASP triggers prefixed, a plain negative number and ordinary text left alone', () => {
    for (const value of ['=1', '+1', '-1+1', '-A1', '@x', '\tx', '\rx', '\nx', '\0x', ' =1', '\u00a0@x', '--1', '-', '\uff0b1', "'x"]) {
      expect(neutraliseFormula(value), JSON.stringify(value)).toBe(`'${value}`);
    }
    for (const value of ['-5', '-0.25', '-1e-7', '5', 'E1', 'a=b', 'x-1', '', ' padded', '李 伟']) {
      expect(neutraliseFormula(value), JSON.stringify(value)).toBe(value);
    }
    expect(csvField('=a,b')).toBe('"\'=a,b"');
    expect(csvField('=say "hi"')).toBe('"\'=say ""hi"""');
    expect(csvField('-1,5')).toBe('"\'-1,5"');
  });
});

/**
 * An unreadable entry (a JSON column edited into text that is not JSON)
 * stopped the export there: the rest of the log could not be exported.
 * skipUnreadable exports every readable entry and a marker for each
 * unreadable one, on every back end.
 */
describe.each(storeBackEnds('roster-audit-export'))('export over unreadable entries: $name', (backEnd) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await backEnd.open();
    await opened.store.audit.append(Array.from({ length: 1500 }, (_, n) => ({ kind: 'change.applied', actor: 'executor:w', reasons: ['r'], data: { n } })));
    await sql`update roster_audit set data = '{"n":' where seq = 1200`.execute(opened.db);
    await sql`update roster_audit set reasons = 'not json' where seq = 1`.execute(opened.db);
  });
  afterEach(async () => {
    await opened.close();
  });

  it('without skipUnreadable: stops at the first one, naming it', async () => {
    await expect(capture((out) => exportAudit(opened.store, 'jsonl', out))).rejects.toThrow(/audit entry 1: its reasons column is not JSON/);
  });

  it('jsonl: every readable entry, and {seq, unreadable} in the place of each unreadable one', async () => {
    const seen: UnreadableEntry[] = [];
    let result: unknown;
    const text = await capture(async (out) => {
      result = await exportAudit(opened.store, 'jsonl', out, { skipUnreadable: true, onUnreadable: (u) => seen.push(u) });
    });
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.seq)).toEqual(Array.from({ length: 1500 }, (_, n) => n + 1));
    expect(lines[0]).toEqual({ seq: 1, unreadable: expect.stringMatching(/^its reasons column is not JSON \(.+\)$/) });
    expect(lines[1199]).toEqual({ seq: 1200, unreadable: expect.stringMatching(/^its data column is not JSON \(.+\)$/) });
    for (const { hash, prevHash, ...rest } of lines.filter((line) => line.unreadable === undefined)) {
      expect(auditHash(prevHash as string, rest as never)).toBe(hash);
    }
    expect(seen).toEqual([lines[0], lines[1199]]);
    expect(result).toEqual({ entries: 1498, unreadable: 2 });
  });

  it('csv: an unreadable column, empty for entries, saying why on the marker rows', async () => {
    const text = await capture((out) => exportAudit(opened.store, 'csv', out, { skipUnreadable: true }));
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1500);
    expect(Object.keys(rows[0]!).at(-1)).toBe('unreadable');
    expect(rows[1199]).toMatchObject({ seq: '1200', kind: '', hash: '', unreadable: expect.stringMatching(/^its data column is not JSON/) });
    expect(rows[1198]).toMatchObject({ seq: '1199', kind: 'change.applied', unreadable: '' });
    expect(rows.filter((row) => row.unreadable !== '').map((row) => row.seq)).toEqual(['1', '1200']);
  });

  it('a gap before the unreadable entry: entries around both are exported, in order', async () => {
    await sql`delete from roster_audit where seq in (1100, 1300)`.execute(opened.db);
    const text = await capture((out) => exportAudit(opened.store, 'jsonl', out, { skipUnreadable: true }));
    const seqs = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: 1500 }, (_, n) => n + 1).filter((seq) => seq !== 1100 && seq !== 1300));
  });
});

/** --out wrote straight into the file: an export that failed part way left a partial file that looked complete. */
describe('exportAuditToFile: all or nothing (review8)', () => {
  let t: TamperableStore;
  let dir: string;
  beforeEach(async () => {
    t = await tamperableStore();
    dir = await mkdtemp(join(tmpdir(), 'roster-export-out-'));
    await t.store().audit.append(Array.from({ length: 1500 }, (_, n) => ({ kind: 'change.applied', actor: 'executor:w', data: { n } })));
  });
  afterEach(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('an unreadable entry: the error names it, no file is left, an earlier export at that path is untouched', async () => {
    await t.tamper(["UPDATE roster_audit SET data = '{\"n\":' WHERE seq = 1200"]);
    const file = join(dir, 'audit.jsonl');
    await writeFile(file, 'the export of last week\n');
    await expect(exportAuditToFile(t.store(), 'jsonl', file)).rejects.toThrow(/audit entry 1200/);
    expect(await readdir(dir)).toEqual(['audit.jsonl']);
    expect(await readFile(file, 'utf8')).toBe('the export of last week\n');
  });

  it('a store error part way: no file is left', async () => {
    const store = t.store();
    const failing: Store = {
      ...store,
      audit: {
        ...store.audit,
        list: async (options) => {
          if ((options?.afterSeq ?? 0) > 0) throw new Error('connection terminated unexpectedly');
          return store.audit.list(options);
        },
      },
    };
    const file = join(dir, 'audit.csv');
    await expect(exportAuditToFile(failing, 'csv', file)).rejects.toThrow('connection terminated unexpectedly');
    await expect(exportAuditToFile(failing, 'csv', file, { skipUnreadable: true })).rejects.toThrow('connection terminated unexpectedly');
    expect(await readdir(dir)).toEqual([]);
  });

  it('success: the whole log, and only the file asked for', async () => {
    const file = join(dir, 'audit.jsonl');
    expect(await exportAuditToFile(t.store(), 'jsonl', file)).toEqual({ entries: 1500, unreadable: 0 });
    expect(await readdir(dir)).toEqual(['audit.jsonl']);
    expect((await readFile(file, 'utf8')).trimEnd().split('\n')).toHaveLength(1500);
    // Personal data from HR: readable by its owner only, whatever the umask.
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
