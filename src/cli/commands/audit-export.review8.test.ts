import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, type FakeEngine } from '../../api/testing/fake-engine.js';
import { tamperableStore, type TamperableStore } from '../../audit/testing.js';
import type { Engine } from '../../engine/types.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * `roster audit export` over a log with an unreadable entry (a JSON column
 * edited by SQL into text that is not JSON). Before: --out left a partial
 * file that looked like a complete export, and nothing could export the
 * entries after the unreadable one.
 */
describe('roster audit export: --out all or nothing, --skip-unreadable (review8)', () => {
  let engine: FakeEngine;
  let t: TamperableStore;
  let dir: string;
  const run = async (args: string[]) => {
    const captured = capturedIo({ cwd: dir, openEngine: async (): Promise<Engine> => ({ ...engine, store: t.store(), close: async () => {} }) });
    const code = await runCli(['node', 'roster', 'audit', 'export', ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  beforeEach(async () => {
    engine = await createFakeEngine();
    t = await tamperableStore();
    dir = await mkdtemp(join(tmpdir(), 'roster-cli-export-'));
    await t.store().audit.append(Array.from({ length: 1500 }, (_, n) => ({ kind: 'change.applied', actor: 'executor:w', data: { n } })));
    await t.tamper(["UPDATE roster_audit SET data = '{\"n\":' WHERE seq = 1200"]);
  });
  afterEach(async () => {
    await t.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('--out: fails naming the entry, exit 1, and leaves no file behind (an earlier export is kept)', async () => {
    const failed = await run(['--out', 'audit.jsonl']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/audit entry 1200: its data column is not JSON/);
    expect(failed.stderr).toContain('--skip-unreadable');
    expect(failed.stderr).toMatch(/nothing was written to \S*audit\.jsonl/);
    expect(await readdir(dir)).toEqual([]);
    await writeFile(join(dir, 'audit.csv'), 'earlier export\r\n');
    expect((await run(['--format', 'csv', '--out', 'audit.csv'])).code).toBe(1);
    expect(await readdir(dir)).toEqual(['audit.csv']);
    expect(await readFile(join(dir, 'audit.csv'), 'utf8')).toBe('earlier export\r\n');
  });

  it('without --out or --skip-unreadable: stops at the entry, exit 1, naming it', async () => {
    const failed = await run([]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/audit entry 1200: its data column is not JSON/);
    expect(failed.stdout.trimEnd().split('\n')).toHaveLength(1199);
  });

  it('--skip-unreadable --out: every readable entry and a marker line, a warning, exit 1', async () => {
    const done = await run(['--skip-unreadable', '--out', 'audit.jsonl']);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/warning: entry 1200 could not be read \(its data column is not JSON/);
    expect(done.stderr).toMatch(/exported 1499 entries and 1 unreadable entry to \S*audit\.jsonl: not a faithful copy of the log/i);
    const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1500);
    expect(lines[1199]).toEqual({ seq: 1200, unreadable: expect.stringMatching(/^its data column is not JSON/) });
    expect(lines[1200]).toMatchObject({ seq: 1201, data: { n: 1200 } });
    expect(await readdir(dir)).toEqual(['audit.jsonl']);
  });

  it('--skip-unreadable to stdout as CSV: a marked row, exit 1', async () => {
    const done = await run(['--skip-unreadable', '--format', 'csv']);
    expect(done.code).toBe(1);
    const rows = parse(done.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1500);
    expect(rows[1199]).toMatchObject({ seq: '1200', hash: '', unreadable: expect.stringMatching(/^its data column is not JSON/) });
    expect(done.stderr).toMatch(/warning: entry 1200 could not be read/);
  });

  it('a readable log: --out writes the file, exit 0', async () => {
    await t.tamper(["UPDATE roster_audit SET data = '{\"n\":1199}' WHERE seq = 1200"]);
    const done = await run(['--out', 'audit.jsonl', '--skip-unreadable']);
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/Exported 1500 entries to \S*audit\.jsonl/);
    expect(await readdir(dir)).toEqual(['audit.jsonl']);
  });
});
