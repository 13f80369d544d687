import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * A target quarantined after repeated failures waits for an operator:
 * `roster quarantine release` lets its pending changes run again, with the
 * release in the audit log under the operator's name. Real engine, SQLite
 * file store, memory target that fails its first operations.
 */
describe('roster quarantine release', () => {
  let dir: string;
  const TARGET = 'quarantine-cli-app';
  const run = async (...args: string[]) => {
    const captured = capturedIo({ cwd: dir, env: { NO_COLOR: '1' } });
    const code = await runCli(['node', 'roster', ...args, '--config', join(dir, 'roster.yaml')], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-quarantine-'));
    writeFileSync(join(dir, 'employees.csv'), 'employeeId,givenName\nE1,Ada\nE2,Alan\nE3,Grace\n');
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: ${TARGET}
    type: memory
    connection: { key: username, failures: { count: 2 } }
    accountKey: username
    attributes: { username: identity.employeeId }
    executor: { concurrency: 1, maxAttempts: 10, backoffBaseMs: 1, backoffMaxMs: 2, quarantineAfter: 2 }
`);
  });
  afterAll(() => {
    memoryTargets.delete(TARGET);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a quarantined target keeps its changes until released; the release is audited and the changes then run', async () => {
    await run('sync', '--yes', '--json');
    const status = JSON.parse((await run('status', '--json')).stdout) as { targets: { id: string; queue: { pending: number }; quarantined?: unknown }[] };
    const held = status.targets.find((t) => t.id === TARGET);
    expect(held?.quarantined).toBeDefined();
    expect(held?.queue.pending).toBe(3);
    expect(memoryTargets.get(TARGET)?.accounts.size).toBe(0);

    const released = await run('quarantine', 'release', TARGET, '--json');
    expect(released.code).toBe(0);
    expect(JSON.parse(released.stdout)).toEqual({ target: TARGET, released: true });
    const again = await run('quarantine', 'release', TARGET);
    expect(again.stdout).toContain('was not in quarantine');

    const audit = JSON.parse((await run('audit', 'export', '--format', 'jsonl')).stdout.trim().split('\n').filter((l) => l.includes('target.released')).join('')) as { actor: string; target: string; data: { reason: string } };
    expect(audit).toMatchObject({ actor: expect.stringMatching(/^cli:/), target: TARGET, data: { reason: expect.stringContaining('unavailable') } });

    const second = await run('sync', '--yes', '--json');
    expect(second.code).toBe(0);
    expect([...(memoryTargets.get(TARGET)?.accounts.keys() ?? [])].sort()).toEqual(['E1', 'E2', 'E3']);
    const after = JSON.parse((await run('status', '--json')).stdout) as typeof status;
    expect(after.targets.find((t) => t.id === TARGET)).toMatchObject({ queue: { pending: 0 } });
    expect(after.targets.find((t) => t.id === TARGET)?.quarantined).toBeUndefined();
  });

  it('an unknown target is an error that names it', async () => {
    const result = await run('quarantine', 'release', 'no-such-target');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("no target 'no-such-target'");
  });
});
