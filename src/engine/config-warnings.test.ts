import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import type { Logger } from '../connectors/types.js';

/** `roster serve` (and every command opening an engine) says what `roster validate` would warn of. */
describe('opening an engine', () => {
  const dir = useEngineDir('config-warnings');

  it('logs a warning for an identity field no source gives, with where and a suggestion', async () => {
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const log: Logger = {
      debug() {}, info() {}, error() {},
      warn(message: string, fields?: Record<string, unknown>) {
        warnings.push({ message, fields });
      },
    } as unknown as Logger;
    await dir.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId, dept: identity.deparment }
`, { log, files: { 'employees.csv': 'employeeId,givenName,department\nE1,Ada,Eng\n' } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe('configuration warning');
    expect(String(warnings[0]!.fields?.at)).toMatch(/roster\.yaml:9:\d+: .*deparment.*department/);
  });
});
