import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../config/load.js';
import type { SourceConfig } from '../config/types.js';
import { isRosterError } from '../core/errors.js';
import { expectedColumns } from './columns.js';
import { parseCsv } from './csv.js';
import { parseJson } from './json.js';

const FIELDS = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' };
const rules = (previousKey?: string) => ({
  sourceId: 'hr', key: 'employeeId', dateFields: ['startDate', 'endDate'],
  columns: expectedColumns({ fields: { ...FIELDS, ...(previousKey === undefined ? {} : { previousKey }) }, fieldsGiven: previousKey === undefined ? [] : ['previousKey'] }),
});

const yaml = (fields: string) => `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, fields: ${fields} }
targets: []
`;

/** fields.previousKey (a rehire under a new key, lifecycle/continued.ts): configured, validated and read as the other fields are (review15). */
describe('fields.previousKey', () => {
  it('is optional, with no default: a source without it expects no such column', () => {
    const { config, problems } = validateConfigText(yaml('{ status: status }'), '/tmp/roster.yaml', { env: {}, checkFields: false });
    expect(problems).toEqual([]);
    const hr = config!.sources[0] as SourceConfig;
    expect(hr.fields.previousKey).toBeUndefined();
    expect(expectedColumns(hr).map((c) => c.field)).not.toContain('previousKey');
  });

  it('named, it is read as written and the file must have the column', () => {
    const { config, problems } = validateConfigText(yaml('{ previousKey: previousEmployeeId }'), '/tmp/roster.yaml', { env: {}, checkFields: false });
    expect(problems).toEqual([]);
    const hr = config!.sources[0] as SourceConfig;
    expect(hr.fields.previousKey).toBe('previousEmployeeId');
    expect(hr.fieldsGiven).toEqual(['previousKey']);
    expect(expectedColumns(hr)).toContainEqual({ field: 'previousKey', column: 'previousEmployeeId', required: true });
    const batch = parseCsv('employeeId,previousEmployeeId\nE200,E100\n', rules('previousEmployeeId'));
    expect(batch.records[0]?.attributes.previousEmployeeId).toBe('E100');
  });

  it('a CSV or JSON file without the column is refused, naming the field and the column', () => {
    let error: unknown;
    try {
      parseCsv('employeeId,oldId\nE200,E100\n', rules('previousEmployeeId'));
    } catch (caught) {
      error = caught;
    }
    expect(isRosterError(error, 'source.malformed')).toBe(true);
    expect((error as Error).message).toMatch(/^CSV header has no column "previousEmployeeId" \(fields\.previousKey\); columns: employeeId, oldId\./);
    expect(() => parseJson(JSON.stringify([{ employeeId: 'E200' }]), rules('previousEmployeeId')))
      .toThrow(/no JSON record has the field "previousEmployeeId" \(fields\.previousKey\)/);
  });

  it('an empty name, or the key column itself, is refused at load with the key path', () => {
    const empty = validateConfigText(yaml("{ previousKey: '' }"), '/tmp/roster.yaml', { env: {}, checkFields: false });
    expect(empty.problems.map((p) => p.path)).toContain('sources[0].fields.previousKey');
    const self = validateConfigText(yaml('{ previousKey: employeeId }'), '/tmp/roster.yaml', { env: {}, checkFields: false });
    expect(self.problems).toEqual([expect.objectContaining({
      path: 'sources[0].fields.previousKey', line: 4, message: expect.stringContaining("names the key column 'employeeId' itself"),
    })]);
  });

  it('a directory or SCIM source must map the field in its attributes, or nobody would ever be continued', () => {
    const source = (type: string, attributes: string) => `
store: sqlite:./roster.db
sources:
  - { id: idp, type: ${type}, key: userName, fields: { previousKey: previousId }${attributes} }
targets: []
`;
    const unmapped = validateConfigText(source('scim', ''), '/tmp/roster.yaml', { env: {}, checkFields: false });
    expect(unmapped.problems.filter((p) => p.path === 'sources[0].fields.previousKey')).toEqual([expect.objectContaining({
      message: expect.stringContaining("names 'previousId', which no entry of this scim source's attributes gives"),
    })]);
    const mapped = validateConfigText(source('scim', ', attributes: { previousId: "urn:example:hr:previousId" }'), '/tmp/roster.yaml', { env: {}, checkFields: false });
    expect(mapped.problems.filter((p) => p.path.includes('previousKey'))).toEqual([]);
  });
});
