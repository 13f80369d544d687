import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { compileCondition } from '../cel/index.js';
import { RosterError } from '../core/errors.js';
import { initProject } from './init.js';
import { loadConfig } from './load.js';

describe('initProject', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-init-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a roster.yaml that loadConfig accepts and an HR file it points at', async () => {
    const today = new Date('2026-01-15T00:00:00Z');
    const { files } = await initProject(dir, { today });
    expect(files).toEqual([join(dir, 'roster.yaml'), join(dir, 'hr', 'employees.csv')]);

    const config = await loadConfig(join(dir, 'roster.yaml'), { env: {} });
    expect(config.sources[0]!.path).toBe(join(dir, 'hr', 'employees.csv'));
    expect(config.store).toBe(`sqlite:${join(dir, 'data', 'roster.db')}`);
    expect(config.targets[0]!.type).toBe('sql');
    expect(config.roles.map((role) => role.id)).toEqual(['everyone', 'engineering', 'sales']);

    const rows = parse(await readFile(config.sources[0]!.path!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const contractor = rows.find((row) => row['employmentType'] === 'contractor');
    expect(contractor?.['endDate']).toBe('2026-04-15');
    expect(rows.filter((row) => (row['startDate'] ?? '') > '2026-01-15')).toHaveLength(1);
    const inScope = compileCondition(config.targets[0]!.scope);
    expect(rows.every((row) => inScope.evaluate({ identity: row }))).toBe(true);
  });

  it('comments the file for newcomers', async () => {
    await initProject(dir);
    const text = await readFile(join(dir, 'roster.yaml'), 'utf8');
    const comments = text.split('\n').filter((line) => line.includes('#'));
    expect(comments.length).toBeGreaterThan(30);
  });

  it('explains minAccounts as the size of the target (its linked accounts), and lists maxRevokes with its default', async () => {
    await initProject(dir);
    const text = await readFile(join(dir, 'roster.yaml'), 'utf8');
    const line = text.split('\n').find((l) => l.trim().startsWith('minAccounts:')) ?? '';
    expect(line).toMatch(/minAccounts: 10 +# .*fewer linked accounts than this/);
    expect(line).not.toContain('touches');
    const config = await loadConfig(join(dir, 'roster.yaml'), { env: {} });
    expect(config.targets[0]!.safety).toEqual({ maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, maxRevokes: { percent: 10 }, minAccounts: 10, windowMs: 3_600_000 });
    expect(text).toMatch(/^ +maxRevokes: 10%/m);
  });

  it('refuses to overwrite an existing file', async () => {
    await mkdir(join(dir, 'hr'), { recursive: true });
    await writeFile(join(dir, 'hr', 'employees.csv'), 'mine\n');
    await expect(initProject(dir)).rejects.toBeInstanceOf(RosterError);
    expect(await readFile(join(dir, 'hr', 'employees.csv'), 'utf8')).toBe('mine\n');
    await expect(readFile(join(dir, 'roster.yaml'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
