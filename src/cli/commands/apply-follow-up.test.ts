import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * A team joining with its new manager, through the CLI: `plan` says the
 * reports' references wait for the manager's account, `apply` sets them in
 * a follow-up plan it reports (text and --json), and nothing is left after.
 */
describe('roster apply: manager references deferred to a follow-up plan', () => {
  let dir: string;
  const run = async (args: string[]) => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', ...args, '--config', join(dir, 'roster.yaml')], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-follow-up-'));
    await writeFile(join(dir, 'hr.csv'), ['employeeId,givenName,managerId', 'E1,Ada,', 'E2,Grace,E1', 'E3,Alan,E2', 'E4,Edsger,E1'].join('\n') + '\n');
    await writeFile(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, fields: { manager: managerId } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes:
      username: identity.givenName.lowerAscii()
      manager: 'has(managerAccount.id) ? managerAccount.id : ""'
`);
  });
  afterEach(async () => {
    memoryTargets.clear();
    await rm(dir, { recursive: true, force: true });
  });

  it('plan names who waits; apply reports the follow-up; the next plan has nothing to do', async () => {
    const plan = await run(['plan']);
    expect(plan.stdout).toContain("info: app: 3 people's manager references wait for the manager's account this plan creates");
    // Grace is both a report and a manager: one follow-up settles the chain, since every account exists by then.
    const applied = await run(['apply', '--yes']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Follow-up plan \S+ \(the manager references the plan deferred, 3 updates\): 3 applied, 0 failed/);
    const managers = Object.fromEntries([...(memoryTargets.get('app')?.accounts.values() ?? [])].map((a) => [a.attributes.username, a.attributes.manager]));
    expect(managers).toEqual({ ada: '', grace: 'ada', alan: 'grace', edsger: 'ada' });
    expect((await run(['plan'])).stdout).toContain('no changes');
  });

  it('--json carries the follow-up in the result', async () => {
    const applied = await run(['apply', '--yes', '--json']);
    const json = JSON.parse(applied.stdout) as { result: { followUp?: { changes: number; applied: number; planId: string } }; plan: { diagnostics: { code: string; identities?: string[] }[] } };
    expect(json.plan.diagnostics.find((d) => d.code === 'reference.deferred')?.identities).toEqual(['E2', 'E3', 'E4']);
    expect(json.result.followUp).toMatchObject({ changes: 3, applied: 3, failed: 0, pending: 0 });
  });
});
