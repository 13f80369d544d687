import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/** A CLI project in a temp dir: an HR file of `employeeId,givenName,managerId` rows and one memory target whose `manager` reads managerAccount. */
function cliProject(prefix: string, source: string) {
  let dir = '';
  const run = async (args: string[]) => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', ...args, '--config', join(dir, 'roster.yaml')], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  const hr = (rows: readonly string[]) => writeFile(join(dir, 'hr.csv'), ['employeeId,givenName,managerId', ...rows].join('\n') + '\n');
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    await writeFile(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - ${source}
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
  return { run, hr };
}

/**
 * A team joining with its new manager, through the CLI: `plan` says the
 * reports' references wait for the manager's account, `apply` sets them in
 * a follow-up plan it reports (text and --json), and nothing is left after.
 */
describe('roster apply: manager references deferred to a follow-up plan', () => {
  const { run, hr } = cliProject('roster-follow-up-', '{ id: hr, type: csv, path: ./hr.csv, key: employeeId, fields: { manager: managerId } }');
  beforeEach(() => hr(['E1,Ada,', 'E2,Grace,E1', 'E3,Alan,E2', 'E4,Edsger,E1']));

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

/**
 * `roster apply --plan FILE` of a plan that deferred manager references, after
 * the HR file was cut short (the source's truncation hold appeared since the
 * plan was made): the plan applies (it was made before the hold), its
 * follow-up is held, and the apply says so and exits 1, as a held plan does.
 */
describe('roster apply: a held follow-up plan (review18)', () => {
  const { run, hr } = cliProject('roster-follow-up-held-', '{ id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 20%, fields: { manager: managerId } }');
  const staff = Array.from({ length: 10 }, (_, i) => `P${i},p${i},`);
  beforeEach(() => hr([...staff, 'M1,mia,', 'R1,rob,M1']));

  /** A plan saved before the cut; the cut read (and held) by a `roster plan` since. */
  const savedThenCut = async () => {
    expect((await run(['plan', '--out', 'plan.json'])).code).toBe(0);
    // Half the staff missing from the file: the source is held as truncated (nobody is marked gone, the state does not move).
    await hr([...staff.slice(0, 5), 'M1,mia,', 'R1,rob,M1']);
    expect((await run(['plan'])).stdout).toContain('truncated');
  };

  it('text: says the follow-up is held and exits 1', async () => {
    await savedThenCut();
    const applied = await run(['apply', '--plan', 'plan.json', '--yes']);
    expect(applied.stdout).toMatch(/Follow-up plan \S+ \(the manager references the plan deferred, 1 update\): held by a safety check, not applied/);
    expect(applied.code).toBe(1);
  });

  it('--json: followUp.held, and exits 1', async () => {
    await savedThenCut();
    const applied = await run(['apply', '--plan', 'plan.json', '--yes', '--json']);
    const json = JSON.parse(applied.stdout) as { result: { applied: number; followUp?: { held?: boolean; changes: number; applied: number } } };
    expect(json.result).toMatchObject({ applied: 12, followUp: { held: true, changes: 1, applied: 0 } });
    expect(applied.code).toBe(1);
    expect(memoryTargets.get('app')?.accounts.get('rob')?.attributes.manager).toBe('');
  });
});
