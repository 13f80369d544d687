import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditHash } from './chain.js';
import { CSV_COLUMNS, csvField, exportAudit } from './export.js';
import { tamperableStore, type TamperableStore } from './testing.js';

async function capture(run: (out: PassThrough) => Promise<unknown>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await run(out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('exportAudit', () => {
  let t: TamperableStore;
  beforeEach(async () => {
    t = await tamperableStore();
    await t.store().audit.append([
      { kind: 'identity.joiner', actor: 'source:hr', identity: 'E1', reasons: ['joiner'], after: { name: 'O\'Brien, "Pat"\nline two' } },
      { kind: 'plan.created', actor: 'scheduler', data: { summary: { create: 2 } } },
      { kind: 'change.applied', actor: 'system', identity: '李 伟', target: 'app', before: null, after: { enabled: true } },
    ]);
  });
  afterEach(async () => {
    await t.close();
  });

  it('jsonl: one entry per line, in seq order, each still hashing to its hash', async () => {
    const text = await capture((out) => exportAudit(t.store(), 'jsonl', out));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    for (const { hash, prevHash, ...rest } of entries) expect(auditHash(prevHash, rest)).toBe(hash);
  });

  it('csv: a header, quoted fields, JSON columns as JSON text, readable by a CSV parser', async () => {
    const text = await capture((out) => exportAudit(t.store(), 'csv', out));
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    expect(JSON.parse(rows[0]!.after!)).toEqual({ name: 'O\'Brien, "Pat"\nline two' });
    expect(JSON.parse(rows[0]!.reasons!)).toEqual(['joiner']);
    expect(JSON.parse(rows[1]!.data!)).toEqual({ summary: { create: 2 } });
    expect(rows[1]!.identity).toBe('');
    expect(rows[2]!.identity).toBe('李 伟');
    expect(rows[2]!.seq).toBe('3');
  });

  it('returns the number of entries written and writes only a header for an empty log', async () => {
    await t.tamper(['DELETE FROM roster_audit']);
    let count = -1;
    const text = await capture(async (out) => {
      count = (await exportAudit(t.store(), 'csv', out)).entries;
    });
    expect(count).toBe(0);
    expect(text).toBe(CSV_COLUMNS.join(',') + '\r\n');
  });
});

describe('csvField', () => {
  it('quotes commas, quotes, newlines and edge spaces, and only those', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
  });
});
