import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import type { Connector } from '../connectors/types.js';
import { runCli } from '../cli/main.js';
import { capturedIo } from '../cli/testing.js';
import { checkTargets } from './check-targets.js';

describe('checkTargets with a connector that throws (review12)', () => {
  it('a check() that throws instead of rejecting fails its target only', async () => {
    const throwing = { check: () => { throw new Error('boom r12'); } } as unknown as Connector;
    const fine = { check: async () => {} } as unknown as Connector;
    const checks = await checkTargets(new Map([['throws', throwing], ['fine', fine]]), { timeoutMs: 200 });
    expect(checks.find((c) => c.target === 'throws')).toMatchObject({ ok: false, code: 'target.unavailable', message: 'boom r12' });
    expect(checks.find((c) => c.target === 'fine')).toMatchObject({ ok: true });
  });

  it('a timeout beyond what a Node timer holds (2^31-1 ms) waits, instead of firing at once', async () => {
    const slow = { check: () => new Promise<void>((resolve) => setTimeout(resolve, 50)) } as unknown as Connector;
    const [check] = await checkTargets(new Map([['slow', slow]]), { timeoutMs: 3_000_000_000 });
    expect(check).toMatchObject({ target: 'slow', ok: true });
  });
});

describe('status --check-timeout beyond what a timer holds (review12)', () => {
  let dir = '';
  const TARGET = 'r12-check-app';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-r12-check-'));
    writeFileSync(join(dir, 'hr.csv'), 'employeeId\n');
    writeFileSync(join(dir, 'roster.yaml'), `store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: ${TARGET}
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId }
`);
  });
  afterAll(() => {
    memoryTargets.delete(TARGET);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused, not taken as 1 ms (a Node timer over 2^31-1 ms fires at once)', async () => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', 'status', '--check', '--check-timeout', '3000000000', '--json', '--config', join(dir, 'roster.yaml')], captured.io);
    expect(captured.stdout()).not.toContain('timedOut');
    expect(code).toBe(2);
    expect(captured.stderr()).toContain('at most 2147483647');
  });
});
