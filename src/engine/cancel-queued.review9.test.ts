import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { employeesCsv, slowMemoryYaml, useEngineDir } from '../../test/support/engine-dir.js';
import { verifyAudit } from '../audit/verify.js';
import { memoryTargets } from '../connectors/memory/index.js';

const people = Array.from({ length: 120 }, (_, i) => `E${String(i + 1).padStart(3, '0')}`);
const files = employeesCsv(people);

const yaml = (store: string) => slowMemoryYaml(store, { latencyMs: 5, concurrency: 2, extra: `roles:
  - { id: staff, when: "true", grants: { app: [staff] } }
  - { id: eng, when: "true", grants: { app: [engineers] } }
` });

/**
 * Two processes (two engines on one store) cancel the same apply at once,
 * one by plan, one by target, while a third part of it runs: every job ends
 * done or cancelled, the counts agree with the audit entries, the audit
 * chain verifies, and the next plan asks for exactly what is missing
 * (creates and their grants whose create was cancelled; grants alone where
 * only the grants were).
 */
describe.each(['sqlite', 'postgres'] as const)('two processes cancelling one apply at once (%s)', (dialect) => {
  const dir = useEngineDir('cancel-r9');
  const other = useEngineDir('cancel-r9-cli');

  it('leaves nothing unfinished, counts and audits each job once, and the next plan has exactly the rest', async () => {
    // One store for both processes: a SQLite file both open by its absolute path, or one PostgreSQL schema.
    const shared = mkdtempSync(join(tmpdir(), 'roster-cancel-r9-'));
    onTestFinished(() => rmSync(shared, { recursive: true, force: true }));
    const store = dialect === 'sqlite' ? `sqlite:${join(shared, 'roster.db')}` : await dir.store(dialect, 'roster_cancel_r9');
    const serving = await dir.open(yaml(store), { files });
    await serving.readSource('hr', 'test');
    const plan = await serving.plan({});
    const cli = await other.open(yaml(store), { files });
    const applying = serving.apply(plan, { actor: 'test' });
    while ((memoryTargets.get('app')?.accounts.size ?? 0) < 10) await new Promise((resolve) => setTimeout(resolve, 2));
    const [byPlan, byTarget] = await Promise.all([
      cli.cancelQueued({ planId: plan.id }, 'ops-a', 'wrong plan'),
      serving.cancelQueued({ target: 'app' }, 'ops-b', 'stop the target'),
    ]);
    const result = await applying;
    const stats = await serving.store.queue.stats({ planId: plan.id });
    expect(stats.pending + stats.running).toBe(0);
    expect(stats.done + stats.cancelled).toBe(plan.changes.length);
    expect(result).toMatchObject({ applied: stats.done, pending: 0, failed: 0, cancelled: stats.cancelled });
    expect(byPlan.cancelled + byTarget.cancelled).toBeLessThanOrEqual(stats.cancelled);
    const entries = await serving.store.audit.list({ kind: 'queue.cancelled' });
    expect(entries.reduce((sum, e) => sum + (e.data as { cancelled: number }).cancelled, 0)).toBe(stats.cancelled);
    expect(await verifyAudit(serving.store)).toMatchObject({ ok: true });

    // What the target has, against what the next plan asks for.
    const accounts = memoryTargets.get('app')!.accounts;
    const next = await serving.plan({});
    const expected: string[] = [];
    for (const person of people) {
      const account = accounts.get(person) as { entitlements?: Iterable<string> } | undefined;
      if (account === undefined) {
        expected.push(`create ${person}`, `grant ${person} engineers`, `grant ${person} staff`);
        continue;
      }
      const has = new Set(account.entitlements ?? []);
      for (const ent of ['engineers', 'staff']) if (!has.has(ent)) expected.push(`grant ${person} ${ent}`);
    }
    const asked = next.changes.map((c) => (c.action === 'grant' ? `grant ${c.identity} ${(c.after as { entitlement: string }).entitlement}` : `${c.action} ${c.identity}`));
    expect(asked.sort()).toEqual(expected.sort());
    const rest = await serving.apply(next, { actor: 'test' });
    expect(rest).toMatchObject({ failed: 0, pending: 0, applied: next.changes.length });
    expect(accounts.size).toBe(people.length);
  });
});

