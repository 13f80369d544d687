import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import { readFileSource } from './file.js';

const fields = { startDate: 'start', endDate: 'end', status: 'status', employmentType: 'type', manager: 'managerId' };

function source(overrides: Partial<SourceConfig>): SourceConfig {
  return { id: 'hr', type: 'csv', key: 'id', fields, delimiter: ',', complete: true, maxMissing: { percent: 20 }, ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<RosterError> {
  try { await promise; } catch (error) { if (error instanceof RosterError) return error; throw error; }
  throw new Error('expected a RosterError');
}

describe('readFileSource', () => {
  let dir = '';
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'roster-sources-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('reads a CSV file with the configured delimiter and checks the configured date fields', async () => {
    const path = join(dir, 'people.csv');
    await writeFile(path, 'id|start|end\nE1|2026-01-01|\nE2|someday|\n');
    const batch = await readFileSource(source({ path, delimiter: '|' }));
    expect(batch.records.map((r) => r.key)).toEqual(['E1']);
    expect(batch.problems).toEqual([{ line: 3, key: 'E2', message: 'column "start" is not an ISO date (YYYY-MM-DD or date-time): "someday"' }]);
    expect(batch.complete).toBe(true);
  });

  it('reads a JSON file and keeps complete from the configuration', async () => {
    const path = join(dir, 'people.jsonl');
    await writeFile(path, '{"id":"E1","end":"2026-12-01"}\n{"id":"E2"}\n');
    const batch = await readFileSource(source({ type: 'json', path, complete: false }));
    expect(batch.records.map((r) => r.key)).toEqual(['E1', 'E2']);
    expect(batch.complete).toBe(false);
  });

  it('fails with source.unavailable for a missing file and config.invalid for a push source', async () => {
    expect(await failure(readFileSource(source({ path: join(dir, 'absent.csv') })))).toMatchObject({ code: 'source.unavailable', retryable: false });
    expect(await failure(readFileSource(source({ type: 'push' })))).toMatchObject({ code: 'config.invalid' });
  });
});
