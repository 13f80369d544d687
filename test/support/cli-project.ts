import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { memoryTargets } from '../../src/connectors/memory/index.js';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `roster <args> --config <dir>/roster.yaml` in the process, its output captured (no colour). */
export function cliIn(dir: () => string): (...args: string[]) => Promise<CliRun> {
  return async (...args: string[]) => {
    const captured = capturedIo({ cwd: dir(), env: { NO_COLOR: '1' } });
    const code = await runCli(['node', 'roster', ...args, '--config', join(dir(), 'roster.yaml')], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
}

/**
 * A project directory for the suite: employees.csv (`csv`), and a
 * roster.yaml with a SQLite file store, that CSV as source `hr` and one
 * memory target `target` keyed by the employee id. Made before the suite's
 * tests, removed (with the memory target) after them.
 */
export function useMemoryTargetProject(prefix: string, target: string, csv: string): { readonly dir: () => string; readonly run: (...args: string[]) => Promise<CliRun> } {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    writeFileSync(join(dir, 'employees.csv'), csv);
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: ${target}
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: { username: identity.employeeId }
`);
  });
  afterAll(() => {
    memoryTargets.delete(target);
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir, run: cliIn(() => dir) };
}
