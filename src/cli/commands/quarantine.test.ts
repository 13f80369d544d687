import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { cliIn, useMemoryTargetProject } from '../../../test/support/cli-project.js';

/**
 * A target quarantined after repeated failures waits for an operator:
 * `roster quarantine release` lets its pending changes run again, with the
 * release in the audit log under the operator's name. Real engine, SQLite
 * file store, memory target that fails its first operations.
 */
describe('roster quarantine release', () => {
  let dir: string;
  const TARGET = 'quarantine-cli-app';
  const run = cliIn(() => dir);

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

/**
 * `roster quarantine hold`: an operator stops changes to a target by hand (a
 * system under maintenance, an apply going wrong). Its changes wait in the
 * queue, audited under the operator's name, until `quarantine release`.
 * Real engine, SQLite file store, memory target.
 */
describe('roster quarantine hold', () => {
  const TARGET = 'quarantine-hold-app';
  const { run } = useMemoryTargetProject('roster-quarantine-hold', TARGET, 'employeeId,givenName\nE1,Ada\nE2,Alan\n');
  const statusOf = async () => {
    const status = JSON.parse((await run('status', '--json')).stdout) as { targets: { id: string; queue: { pending: number }; quarantined?: { reason: string; by?: string } }[] };
    return status.targets.find((t) => t.id === TARGET);
  };

  it('keeps a held target\'s changes queued until release, and audits both under the operator', async () => {
    const held = await run('quarantine', 'hold', TARGET, '--reason', 'CHG-1234 directory upgrade', '--json');
    expect(held.code).toBe(0);
    expect(JSON.parse(held.stdout)).toEqual({ target: TARGET, held: true });
    expect((await run('quarantine', 'hold', TARGET, '--reason', 'again')).stdout).toContain('already in quarantine');
    expect(await statusOf()).toMatchObject({ quarantined: { reason: 'CHG-1234 directory upgrade', by: expect.stringMatching(/^cli:/) } });

    await run('sync', '--yes', '--json');
    expect(memoryTargets.get(TARGET)?.accounts.size ?? 0).toBe(0);
    expect((await statusOf())?.queue.pending).toBe(2);

    const lines = (await run('audit', 'export', '--format', 'jsonl')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; actor: string; target?: string; data?: { manual?: boolean; reason?: string } });
    expect(lines.filter((e) => e.kind === 'target.quarantined')).toEqual([
      expect.objectContaining({ actor: expect.stringMatching(/^cli:/), target: TARGET, data: expect.objectContaining({ manual: true, reason: 'CHG-1234 directory upgrade' }) }),
    ]);

    expect((await run('quarantine', 'release', TARGET)).code).toBe(0);
    await run('sync', '--yes', '--json');
    expect([...(memoryTargets.get(TARGET)?.accounts.keys() ?? [])].sort()).toEqual(['E1', 'E2']);
    expect(await statusOf()).toMatchObject({ queue: { pending: 0 } });
  });

  it('needs a reason, and names an unknown target', async () => {
    const blank = await run('quarantine', 'hold', TARGET, '--reason', '  ');
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain('--reason');
    const missing = await run('quarantine', 'hold', TARGET);
    expect(missing.code).toBe(2);
    const unknown = await run('quarantine', 'hold', 'nope', '--reason', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("'nope'");
  });
});

describe('roster apply after a quarantine release', () => {
  const target = 'quarantine-cli-queued';
  const { run } = useMemoryTargetProject('roster-queued', target, 'employeeId,givenName\nE1,Ada\nE2,Alan\nE3,Grace\n');

  it('runs the changes an earlier plan queued, which its own plan leaves out as already queued', async () => {
    expect((await run('quarantine', 'hold', target, '--reason', 'CHG-1')).code).toBe(0);
    await run('apply', '--yes');
    expect(memoryTargets.get(target)?.accounts.size ?? 0).toBe(0);
    expect((await run('quarantine', 'release', target)).code).toBe(0);
    const applied = await run('apply', '--yes');
    expect(applied.stdout).toContain('already queued');
    expect(applied.code).toBe(0);
    expect([...(memoryTargets.get(target)?.accounts.keys() ?? [])].sort()).toEqual(['E1', 'E2', 'E3']);
    const status = JSON.parse((await run('status', '--json')).stdout) as { targets: { id: string; queue: { pending: number; done: number } }[] };
    expect(status.targets.find((t) => t.id === target)?.queue).toMatchObject({ pending: 0, done: 3 });
  });
});
