import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * `roster validate` against a real project: an identity field no source
 * gives (a typo of an HR column) is a warning naming file:line:column, the
 * key path and the closest column; warnings alone leave the file valid (exit
 * 0), `--json` lists them, and errors still exit 1.
 */
describe('roster validate: identity field warnings (review8)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-validate-fields-'));
    writeFileSync(join(dir, 'employees.csv'), 'employeeId,givenName,familyName,department,status\n1001,Ada,Lovelace,Engineering,active\n');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const yaml = (scope: string) => `store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    accountKey: username
    scope: ${scope}
    attributes:
      username: identity.givenName + "." + identity.familyName
roles:
  - { id: eng, when: 'identity.deparment == "Engineering"', grants: { app: [eng] } }
`;
  const run = async (scope: string, ...args: string[]) => {
    writeFileSync(join(dir, 'roster.yaml'), yaml(scope));
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', 'validate', '--config', 'roster.yaml', ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  const file = () => join(dir, 'roster.yaml');

  it('prints each warning as file:line:column: warning: path: message and exits 0', async () => {
    const { code, stdout } = await run('identity.status == "active"');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `${file()}:12:32: warning: roles[0].when: identity.deparment: no source gives an identity field 'deparment' (did you mean 'department'?)`,
      `valid: ${file()} (1 source, 1 target, 1 role, 1 warning)`,
      '',
    ]);
  });

  it('--json has valid: true and the warnings', async () => {
    const { code, stdout } = await run('identity.status == "active"', '--json');
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as { valid: boolean; problems: unknown[]; warnings: { line: number; column: number; path: string; message: string }[] };
    expect(body.valid).toBe(true);
    expect(body.problems).toEqual([]);
    expect(body.warnings).toEqual([{
      file: file(), line: 12, column: 32, path: 'roles[0].when',
      message: "identity.deparment: no source gives an identity field 'deparment' (did you mean 'department'?)",
    }]);
  });

  it('an error still exits 1, with the warnings printed too', async () => {
    const { code, stdout } = await run('identity.staus');
    expect(code).toBe(1);
    expect(stdout).toContain(`${file()}:8:12: targets[0].scope: invalid condition`);
    expect(stdout).toContain(`${file()}:8:21: warning: targets[0].scope: identity.staus: no source gives an identity field 'staus' (did you mean 'status'?)`);
    expect(stdout).toMatch(/^1 problem, 2 warnings in /m);
    const json = JSON.parse((await run('identity.staus', '--json')).stdout) as { valid: boolean; warnings: unknown[] };
    expect(json.valid).toBe(false);
    expect(json.warnings).toHaveLength(2);
  });
});
