import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { RosterEngine } from './engine.js';
import { Scheduler } from './scheduler.js';

/**
 * A target's `reconcile.schedule`: the scheduler's side (what it asks the
 * engine, in which order, what it says), against a real SQLite store (its
 * leases live there) and an engine stand-in that records the calls. The pass
 * itself against a real slapd: test/e2e/scheduled-reconcile.test.ts.
 */
const NOW = new Date('2030-01-01T00:00:00Z');

interface Said { readonly level: string; readonly message: string; readonly fields?: Record<string, unknown> }

function recordingLog(said: Said[]): Logger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void said.push({ level, message, ...(fields ? { fields } : {}) });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Logger;
}

describe('Scheduler: scheduled reconcile of a target', () => {
  let dir: string | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  interface Report { plan: { id: string; changes: unknown[]; holds: unknown[] }; result?: unknown; disputed?: { accountId: string }[]; warnings?: string[]; createsHeld?: string }

  async function stand(options: { report?: Partial<Report>; planHeld?: boolean; staleApplies?: number; reconcile?: () => Promise<void> } = {}) {
    dir ??= mkdtempSync(join(tmpdir(), 'roster-sched-reconcile-'));
    const store = await openStore('sqlite:./roster.db', { baseDir: dir });
    stores.push(store);
    const calls: string[] = [];
    let stale = options.staleApplies ?? 0;
    const engine = {
      config: {
        sources: [],
        lifecycle: { timezone: 'Europe/Berlin' },
        targets: [{ id: 'corp', reconcile: { match: [], orphans: 'disable', schedule: '0 3 * * *' } }, { id: 'app', reconcile: { match: [], orphans: 'report' } }],
      },
      store,
      async reconcile(target: string, opts: { actor: string; apply?: boolean; force?: boolean }) {
        calls.push(`reconcile ${target} actor=${opts.actor} apply=${String(opts.apply)} force=${String(opts.force ?? false)}`);
        await options.reconcile?.();
        return { target, accounts: 3, linked: 1, matched: [], orphans: [], vanished: [], disputed: [], warnings: [], plan: { id: 'r', changes: [], holds: [] }, ...options.report };
      },
      async plan() {
        calls.push('plan');
        return { id: `p${calls.length}`, held: options.planHeld ?? false, holds: options.planHeld ? [{ code: 'safety.maxDeletes', message: 'too many' }] : [], changes: [] };
      },
      async apply(plan: { id: string }, opts: { actor: string }) {
        calls.push(`apply ${plan.id} actor=${opts.actor}`);
        if (stale > 0) {
          stale -= 1;
          throw new RosterError('plan.stale', 'the state changed since this plan was made');
        }
        return {};
      },
    } as unknown as RosterEngine;
    return { engine, calls };
  }

  it('reconciles (applying the orphan action unless held, never forced), then plans everyone and applies', async () => {
    const { engine, calls } = await stand();
    const said: Said[] = [];
    await new Scheduler(engine, recordingLog(said), () => NOW).runReconcile('corp');
    expect(calls).toEqual(['reconcile corp actor=scheduler apply=true force=false', 'plan', 'apply p2 actor=scheduler']);
    expect(said).toContainEqual({ level: 'info', message: 'scheduled reconcile', fields: { target: 'corp', accounts: 3, matched: 0, orphans: 0, disputed: 0, vanished: 0, misplaced: 0 } });
    expect(said.filter((s) => s.level === 'warn')).toEqual([]);
  });

  it('says what waits for an operator: held orphan actions, disputes, unread rules, held creates; a held plan is not applied', async () => {
    const { engine, calls } = await stand({
      planHeld: true,
      report: {
        plan: { id: 'r', changes: [{ id: 'c1' }], holds: [{ code: 'safety.maxDisables', message: '1 disable exceeds maxDisables' }] },
        disputed: [{ accountId: 'acc-7' }], warnings: ['match rule employeeNumber = identity.employeeId matched nothing'], createsHeld: 'creates in corp stay held',
      },
    });
    const said: Said[] = [];
    await new Scheduler(engine, recordingLog(said), () => NOW).runReconcile('corp');
    expect(calls).toEqual(['reconcile corp actor=scheduler apply=true force=false', 'plan']);
    const warnings = said.filter((s) => s.level === 'warn').map((s) => s.message);
    expect(warnings).toEqual([
      'scheduled reconcile: match rule employeeNumber = identity.employeeId matched nothing',
      'scheduled reconcile: creates in corp stay held',
      'scheduled reconcile: disputed accounts are never acted on; settle them with roster reconcile --link',
      'scheduled reconcile: orphan actions held; not applied (roster reconcile --target to review them)',
      'plan held; not applied',
    ]);
    expect(said.find((s) => s.message.includes('disputed'))?.fields).toEqual({ target: 'corp', disputed: ['acc-7'] });
    expect(said.at(-1)?.fields).toMatchObject({ target: 'corp', planId: 'p2' });
  });

  it('plans again when the plan went stale before its apply, up to three times', async () => {
    const { engine, calls } = await stand({ staleApplies: 2 });
    await new Scheduler(engine, recordingLog([]), () => NOW).runReconcile('corp');
    expect(calls.filter((c) => c === 'plan')).toHaveLength(3);
    const again = await stand({ staleApplies: 3 });
    await expect(new Scheduler(again.engine, recordingLog([]), () => NOW).runReconcile('corp')).rejects.toThrow(/state changed/);
  });

  it('a pass that fails plans nothing', async () => {
    const { engine, calls } = await stand({ reconcile: async () => { throw new RosterError('target.unavailable', 'cannot reach the directory'); } });
    await expect(new Scheduler(engine, recordingLog([]), () => NOW).runReconcile('corp')).rejects.toThrow('cannot reach the directory');
    expect(calls).toEqual(['reconcile corp actor=scheduler apply=true force=false']);
  });

  it('runs one pass of a target at a time: here in turn, in another process not at all', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const { engine, calls } = await stand({ reconcile: () => gate });
    const other = await stand();
    const said: Said[] = [];
    const here = new Scheduler(engine, recordingLog([]), () => NOW);
    const first = here.runReconcile('corp');
    const second = here.runReconcile('corp');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Another process on the same store while the first pass holds the lease.
    await new Scheduler(other.engine, recordingLog(said), () => NOW).runReconcile('corp');
    expect(other.calls).toEqual([]);
    expect(said).toContainEqual({ level: 'info', message: 'scheduled reconcile skipped: another process is reconciling this target', fields: { target: 'corp' } });
    expect(calls.filter((c) => c.startsWith('reconcile'))).toHaveLength(1);
    release();
    await Promise.all([first, second]);
    expect(calls.filter((c) => c.startsWith('reconcile'))).toHaveLength(2);
  });

  it('start() schedules each target that has a reconcile.schedule, in lifecycle.timezone', async () => {
    const { engine } = await stand();
    const scheduler = new Scheduler(engine, recordingLog([]), () => NOW);
    scheduler.start();
    try {
      // 03:00 in Berlin in winter is 02:00Z; the target without a schedule has no job.
      expect(scheduler.nextRuns(NOW)).toEqual([{ job: 'reconcile:corp', at: new Date('2030-01-01T02:00:00Z') }]);
    } finally {
      await scheduler.stop();
    }
  });
});
