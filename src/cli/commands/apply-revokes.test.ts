import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * safety.maxRevokes end to end, on the real engine: an HR file whose
 * department column was emptied takes the role from everyone; the plan is
 * held like a mass disable, `apply` refuses it, `apply --force` applies it.
 */
describe('roster apply: a plan held by safety.maxRevokes', () => {
  let dir: string;
  const run = async (args: string[]) => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', ...args, '--config', join(dir, 'roster.yaml')], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  const hr = (department: (i: number) => string) => writeFile(join(dir, 'hr.csv'), ['employeeId,givenName,familyName,department',
    ...Array.from({ length: 12 }, (_, i) => `E${i},Given${i},Family${i},${department(i)}`)].join('\n') + '\n');
  const groups = () => [...(memoryTargets.get('app')?.accounts.values() ?? [])].map((a) => [...a.entitlements].sort().join('+'));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-revokes-'));
    await writeFile(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId.lowerAscii() }
roles:
  - { id: everyone, when: 'true', grants: { app: [staff] } }
  - { id: engineering, when: identity.department == "Engineering", grants: { app: [engineers] } }
`);
  });
  afterEach(async () => {
    memoryTargets.clear();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the plan, refuses apply without --force, and applies with it', async () => {
    await hr(() => 'Engineering');
    expect((await run(['apply', '--yes'])).code).toBe(0);
    expect(groups()).toEqual(Array(12).fill('engineers+staff'));

    // One person moving out of Engineering is within the limit (10% of 12 is 1).
    await hr((i) => (i === 0 ? 'Sales' : 'Engineering'));
    const one = await run(['plan', '--json']);
    expect(JSON.parse(one.stdout)).toMatchObject({ held: false, summary: { revoke: 1 } });

    await hr(() => '');
    const plan = await run(['plan', '--json']);
    expect(JSON.parse(plan.stdout)).toMatchObject({
      held: true, summary: { revoke: 12 },
      holds: [{
        target: 'app', code: 'safety.max_revokes', count: 12, limit: 1,
        message: 'would revoke entitlements from 12 of 12 accounts in app (100%); the limit is 10%',
      }],
    });
    const refused = await run(['apply', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the plan is held by a safety check');
    expect(groups()).toEqual(Array(12).fill('engineers+staff'));

    const forced = await run(['apply', '--yes', '--force']);
    expect(forced.code).toBe(0);
    expect(groups()).toEqual(Array(12).fill('staff'));
  });
});
