import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useMemoryTargetProject } from '../../../test/support/cli-project.js';
import { memoryTargets } from '../../connectors/memory/index.js';

/**
 * `roster queue cancel`: an operator throws away queued changes not yet run
 * (the wrong plan applied, an apply to stop), by plan or by target, audited
 * under the operator's name; `roster status` counts them; the next plan
 * computes again what is still needed. Real engine, SQLite file store,
 * memory target held in quarantine so the changes stay queued.
 */
describe('roster queue cancel', () => {
  const TARGET = 'queue-cancel-app';
  const { run, dir } = useMemoryTargetProject('roster-queue-cancel', TARGET, 'employeeId,givenName\nE1,Ada\nE2,Alan\nE3,Grace\n');
  const statusOf = async () => {
    const status = JSON.parse((await run('status', '--json')).stdout) as { targets: { id: string; queue: Record<string, number> }[] };
    return status.targets.find((t) => t.id === TARGET)?.queue;
  };

  it('cancels a plan\'s pending changes, audits it under the operator, and the next plan has them again', async () => {
    expect((await run('quarantine', 'hold', TARGET, '--reason', 'keep them queued')).code).toBe(0);
    const synced = JSON.parse((await run('sync', '--yes', '--json')).stdout) as { plan: { id: string } };
    expect(await statusOf()).toMatchObject({ pending: 3, cancelled: 0 });

    const cancelled = await run('queue', 'cancel', '--plan', synced.plan.id, '--reason', 'INC-42 wrong plan', '--json');
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toEqual({ planId: synced.plan.id, cancelled: 3, running: 0 });
    expect(await statusOf()).toMatchObject({ pending: 0, cancelled: 3 });
    const table = await run('status');
    expect(table.stdout).toMatch(/CANCELLED/);
    const again = await run('queue', 'cancel', '--plan', synced.plan.id, '--reason', 'again');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Nothing was pending for plan ${synced.plan.id}`);

    const lines = (await run('audit', 'export', '--format', 'jsonl')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; actor: string; data?: unknown });
    expect(lines.filter((e) => e.kind === 'queue.cancelled')).toEqual([
      expect.objectContaining({ actor: expect.stringMatching(/^cli:/), data: { planId: synced.plan.id, reason: 'INC-42 wrong plan', cancelled: 3 } }),
    ]);

    // Nothing ran; released, the next sync plans the three creates again and applies them.
    expect(memoryTargets.get(TARGET)?.accounts.size ?? 0).toBe(0);
    expect((await run('quarantine', 'release', TARGET)).code).toBe(0);
    const next = JSON.parse((await run('sync', '--yes', '--json')).stdout) as { plan: { summary: Record<string, number> }; result: { applied: number } };
    expect(next.plan.summary).toEqual({ create: 3 });
    expect(next.result.applied).toBe(3);
    expect([...(memoryTargets.get(TARGET)?.accounts.keys() ?? [])].sort()).toEqual(['E1', 'E2', 'E3']);
  });

  it('cancels by target, in words on a terminal', async () => {
    writeFileSync(join(dir(), 'employees.csv'), 'employeeId,givenName\nE1,Ada\nE2,Alan\nE3,Grace\nE4,Edsger\nE5,Barbara\n');
    expect((await run('quarantine', 'hold', TARGET, '--reason', 'keep them queued')).code).toBe(0);
    await run('sync', '--yes', '--json');
    const cancelled = await run('queue', 'cancel', '--target', TARGET, '--reason', 'CHG-7 stop');
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(`Cancelled 2 pending changes of target ${TARGET}.`);
    expect(await statusOf()).toMatchObject({ pending: 0, cancelled: 5 });
    expect((await run('quarantine', 'release', TARGET)).code).toBe(0);
  });

  it('needs something to cancel and a reason (usage errors, 2), and names an unknown plan or target (1)', async () => {
    const nothing = await run('queue', 'cancel', '--reason', 'x');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('--plan');
    const blank = await run('queue', 'cancel', '--target', TARGET, '--reason', '  ');
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain('--reason');
    expect((await run('queue', 'cancel', '--target', TARGET)).code).toBe(2);
    const plan = await run('queue', 'cancel', '--plan', 'no-such-plan', '--reason', 'x');
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("no plan 'no-such-plan'");
    const target = await run('queue', 'cancel', '--target', 'nope', '--reason', 'x');
    expect(target.code).toBe(1);
    expect(target.stderr).toContain("'nope'");
  });
});
