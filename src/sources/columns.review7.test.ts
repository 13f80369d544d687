import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { validateConfigText } from '../config/load.js';
import type { SourceConfig } from '../config/types.js';
import { isRosterError } from '../core/errors.js';
import { expectedColumns } from './columns.js';
import { parseCsv } from './csv.js';
import { readFileSource } from './file.js';
import { parseJson } from './json.js';

const FIELDS = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' };
const rules = (fields: Partial<typeof FIELDS> = {}, given: readonly (keyof typeof FIELDS)[] = []) => ({
  sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'],
  columns: expectedColumns({ fields: { ...FIELDS, ...fields }, fieldsGiven: given }),
});

function failure(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * A lifecycle column the configuration names (status, start, end, type,
 * manager) that is not in the file, renamed upstream say, made everyone
 * active with no warning: leavers came back, nobody's end date was seen. The
 * file is refused instead, naming the field and the column it expected.
 */
describe('a file without a lifecycle column it is configured with (review7)', () => {
  it('CSV: a configured column missing from the header makes the file unreadable, naming the field and the column', () => {
    const error = failure(() => parseCsv('employeeId,givenName,status\nE1,Ada,terminated\n', rules({ status: 'hrStatus' }, ['status'])));
    expect(isRosterError(error, 'source.malformed')).toBe(true);
    expect((error as Error).message).toMatch(/^CSV header has no column "hrStatus" \(fields\.status\); columns: employeeId, givenName, status\./);
    const end = failure(() => parseCsv('employeeId,leaveDate\nE1,2026-01-01\n', rules({ endDate: 'terminationDate' }, ['endDate'])));
    expect((end as Error).message).toContain('no column "terminationDate" (fields.endDate)');
  });

  it('CSV: a column present only in another case is refused, configured or by default', () => {
    const configured = failure(() => parseCsv('employeeId,Status\nE1,terminated\n', rules({}, ['status'])));
    expect((configured as Error).message).toContain('no column "status" (fields.status) ("Status" differs only in case)');
    const defaulted = failure(() => parseCsv('employeeId,StartDate\nE1,2026-01-01\n', rules()));
    expect(isRosterError(defaulted, 'source.malformed') && defaulted.message).toContain('no column "startDate" (fields.startDate, by default) ("StartDate" differs only in case)');
  });

  it('CSV: defaulted columns may be absent, and a configured one present reads as before', () => {
    expect(parseCsv('employeeId,givenName\nE1,Ada\n', rules()).records).toHaveLength(1);
    const batch = parseCsv('employeeId,hrStatus\nE1,leave\n', rules({ status: 'hrStatus' }, ['status']));
    expect(batch.records[0]!.attributes).toEqual({ employeeId: 'E1', hrStatus: 'leave' });
    // An empty file is not refused for its columns: it has none (and is held as empty).
    expect(parseCsv('', rules({}, ['status'])).problems).toEqual([{ line: 1, message: 'empty file: no header row' }]);
  });

  it('JSON: a configured field that no record has makes the file unreadable; one record without it is a person without the value', () => {
    const none = JSON.stringify([{ employeeId: 'E1', Status: 'terminated' }, { employeeId: 'E2' }]);
    const error = failure(() => parseJson(none, rules({}, ['status'])));
    expect(isRosterError(error, 'source.malformed')).toBe(true);
    expect((error as Error).message).toMatch(/^no JSON record has the field "status" \(fields\.status\) \("Status" differs only in case\); fields: employeeId, Status\./);
    const lines = '{"employeeId":"E1","state":"leave"}\n{"employeeId":"E2"}\n';
    expect((failure(() => parseJson(lines, rules({}, ['status']))) as Error).message).toContain('no JSON record has the field "status" (fields.status)');
    // Some records have it (null counts: the field is there, empty): read.
    const some = JSON.stringify([{ employeeId: 'E1' }, { employeeId: 'E2', status: null }]);
    expect(parseJson(some, rules({}, ['status'])).records).toHaveLength(2);
    // No records: nothing to say about the fields.
    expect(parseJson('[]', rules({}, ['status'])).records).toEqual([]);
    // A defaulted field nobody has: fine.
    expect(parseJson(JSON.stringify([{ employeeId: 'E1' }]), rules()).records).toHaveLength(1);
  });

  it('only the `fields` entries written in roster.yaml are required: the config says which', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-review7-'));
    try {
      const yaml = `sources:\n  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, fields: { status: hrStatus, endDate: endDate } }\n  - { id: more, type: json, path: ./more.json, key: employeeId }\ntargets: []\n`;
      const { config, problems } = validateConfigText(yaml, join(dir, 'roster.yaml'), { env: {} });
      expect(problems).toEqual([]);
      const [hr, more] = config!.sources as [SourceConfig, SourceConfig];
      expect([hr.fieldsGiven, more.fieldsGiven]).toEqual([['status', 'endDate'], []]);
      writeFileSync(join(dir, 'hr.csv'), 'employeeId,status,endDate\nE1,terminated,2026-01-01\n');
      await expect(readFileSource(hr)).rejects.toMatchObject({ code: 'source.malformed', message: expect.stringContaining('no column "hrStatus" (fields.status)') });
      writeFileSync(join(dir, 'more.json'), JSON.stringify([{ employeeId: 'E2' }]));
      expect((await readFileSource(more)).records).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(['sqlite', 'postgres'] as const)('a renamed status column brings nobody back (review7, %s)', (dialect) => {
  const workspace = useEngineDir('review7');

  it('the sync fails on the file and the leaver stays a leaver', async () => {
    const store = await workspace.store(dialect, 'roster_r7_columns');
    const engine = await workspace.open(`
store: ${store}
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { status: employeeStatus } }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
`, { files: { 'employees.csv': 'employeeId,givenName,employeeStatus\nE1,Ada,active\nE2,Alan,terminated\n' } });
    await engine.sync({ actor: 't' });
    expect((await engine.store.identities.get('E2'))?.state).toBe('terminated');
    workspace.write('employees.csv', 'employeeId,givenName,worker_status\nE1,Ada,active\nE2,Alan,terminated\n');
    await expect(engine.sync({ actor: 't' })).rejects.toMatchObject({ code: 'source.malformed', message: expect.stringContaining('"employeeStatus" (fields.status)') });
    expect(await engine.store.identities.get('E2')).toMatchObject({ state: 'terminated', version: 1 });
  });
});
