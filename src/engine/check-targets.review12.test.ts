import { describe, expect, it } from 'vitest';
import { useMemoryTargetProject } from '../../test/support/cli-project.js';
import type { Connector } from '../connectors/types.js';
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
  const project = useMemoryTargetProject('roster-r12-check', 'r12-check-app', 'employeeId\n');

  it('is refused, not taken as 1 ms (a Node timer over 2^31-1 ms fires at once)', async () => {
    const { code, stdout, stderr } = await project.run('status', '--check', '--check-timeout', '3000000000', '--json');
    expect(stdout).not.toContain('timedOut');
    expect(code).toBe(2);
    expect(stderr).toContain('at most 2147483647');
  });
});
