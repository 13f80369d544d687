import { describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { useMemoryTargetProject } from '../../../test/support/cli-project.js';

/**
 * `roster apply` after a quarantine release: its own plan is empty (the
 * changes are queued already), yet the earlier plan's jobs run. The output,
 * text and --json, says what ran: those jobs, by the plan that queued them,
 * with their counts; not "0 applied" alone.
 */
describe('roster apply says which released jobs it ran (review11)', () => {
  const text = 'apply-released-text';
  const json = 'apply-released-json';
  const csv = 'employeeId,givenName\nE1,Ada\nE2,Alan\nE3,Grace\n';
  const t = useMemoryTargetProject('roster-r11-released-text', text, csv);
  const j = useMemoryTargetProject('roster-r11-released-json', json, csv);

  const heldPlan = async (run: typeof t.run, target: string, asJson: boolean): Promise<string> => {
    expect((await run('quarantine', 'hold', target, '--reason', 'CHG-1')).code).toBe(0);
    const held = await run('apply', '--yes', ...(asJson ? ['--json'] : []));
    expect(held.code).toBe(0);
    let planId: string;
    if (asJson) {
      const parsed = JSON.parse(held.stdout) as { plan: { id: string; changes: unknown[] }; result: { pending: number }; released: unknown[] };
      expect(parsed.plan.changes).toHaveLength(3);
      expect(parsed.result.pending).toBe(3);
      expect(parsed.released).toEqual([]);
      planId = parsed.plan.id;
    } else {
      expect(held.stdout).toMatch(/: 0 applied, 0 failed, 3 pending\n/);
      // Held by hand: said, with who and why, and the exit stays 0 (it was asked for).
      expect(held.stdout).toMatch(new RegExp(`^ {2}${target} is held by \\S+ since \\S+: CHG-1; 3 changes wait for it until roster quarantine release ${target}$`, 'm'));
      expect(held.stdout).not.toContain('earlier plan');
      planId = /Plan ([0-9a-f-]+) \(state serial/.exec(held.stdout)![1]!;
    }
    expect((await run('quarantine', 'release', target)).code).toBe(0);
    return planId;
  };

  it('text: the released plan and its counts, not only "0 applied"', async () => {
    const planId = await heldPlan(t.run, text, false);
    memoryTargets.get(text)!.rejectNext(1, { operations: ['create'] });
    const applied = await t.run('apply', '--yes');
    expect(applied.stdout).toContain('already queued');
    expect(applied.stdout).toMatch(/Plan [0-9a-f-]+: no changes of its own\n/);
    expect(applied.stdout).not.toContain('0 applied');
    expect(applied.stdout).toContain(`Also ran changes queued by earlier plan:\n  Plan ${planId}: 2 applied, 1 failed\n`);
    // A released job that failed is a problem, as one of the plan's own would be.
    expect(applied.code).toBe(1);
    expect(memoryTargets.get(text)!.accounts.size).toBe(2);
  });

  it('--json: the plan, its own result, and the released plans with their counts', async () => {
    const planId = await heldPlan(j.run, json, true);
    const applied = await j.run('apply', '--yes', '--json');
    expect(applied.code).toBe(0);
    const parsed = JSON.parse(applied.stdout) as { plan: { changes: unknown[]; diagnostics: { code: string }[] }; result: Record<string, unknown>; released: unknown[] };
    expect(parsed.plan.changes).toEqual([]);
    expect(parsed.plan.diagnostics.map((d) => d.code)).toEqual(['plan.already_queued']);
    expect(parsed.result).toMatchObject({ applied: 0, failed: 0, pending: 0, released: [{ planId, applied: 3, failed: 0, pending: 0 }] });
    expect(parsed.released).toEqual([{ planId, applied: 3, failed: 0, pending: 0 }]);
    expect([...memoryTargets.get(json)!.accounts.keys()].sort()).toEqual(['E1', 'E2', 'E3']);
  });
});
