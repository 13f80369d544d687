import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { cliIn } from '../../../test/support/cli-project.js';

/**
 * Review 21: `roster apply` when creates are refused for good. The changes
 * of those accounts that need them are not attempted: the output says one
 * cause per account and how many changes it left not attempted, not a line
 * per grant repeating "account … is not in target"; --json lists them all.
 * Once the target accepts, the next apply creates and grants, once.
 */
describe('roster apply: a refused create and the changes it leaves not attempted (review21)', () => {
  const target = 'na21';
  let dir = '';
  const run = cliIn(() => dir);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-r21-na-'));
    writeFileSync(join(dir, 'employees.csv'), 'employeeId,givenName\nE1,Ada\nE2,Alan\nE3,Grace\n');
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
    executor: { concurrency: 1 }
roles:
  - id: staff
    when: "true"
    grants: { ${target}: [staff, vpn, wiki] }
`);
  });
  afterAll(() => {
    memoryTargets.delete(target);
    rmSync(dir, { recursive: true, force: true });
  });

  it('text: one line per refused create with its count; then the next apply creates and grants', async () => {
    // Seen first: the target exists (empty) so that its first two creates can be refused.
    expect((await run('status')).code).toBe(0);
    memoryTargets.get(target)!.rejectNext(2, { operations: ['create'], message: 'the bind account may not add entries (LDAP 50)' });
    const applied = await run('apply', '--yes');
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(/: 4 applied, 8 failed \(2 creates failed, 6 changes of their accounts not attempted\)\n/);
    const lines = applied.stdout.split('\n').filter((l) => l.startsWith(`  ${target}:E`));
    expect(lines).toEqual([
      `  ${target}:E1:create: target.rejected: the bind account may not add entries (LDAP 50); 3 later changes of this account not attempted`,
      `  ${target}:E2:create: target.rejected: the bind account may not add entries (LDAP 50); 3 later changes of this account not attempted`,
    ]);
    expect(applied.stdout).not.toContain('is not in target');
    expect(applied.stdout).not.toContain('no link for');

    const again = await run('apply', '--yes', '--json');
    expect(again.code).toBe(0);
    const parsed = JSON.parse(again.stdout) as { plan: { summary: Record<string, number> }; result: { applied: number; failed: number } };
    expect(parsed.plan.summary).toMatchObject({ create: 2, grant: 6 });
    expect(parsed.result).toMatchObject({ applied: 8, failed: 0 });
    const memory = memoryTargets.get(target)!;
    expect([...memory.accounts.keys()].sort()).toEqual(['E1', 'E2', 'E3']);
    for (const id of ['E1', 'E2', 'E3']) expect(memory.snapshot(id)?.entitlements).toEqual(['staff', 'vpn', 'wiki']);
    expect((await run('apply', '--yes', '--json')).stdout).toContain('"changes": []');
  });
});
