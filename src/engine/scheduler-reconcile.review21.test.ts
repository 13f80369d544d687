import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { RosterEngine } from './engine.js';
import { Scheduler } from './scheduler.js';

/**
 * review21: what `ROSTER_LOG_LEVEL=info roster serve` shows of a scheduled
 * reconcile (docs/directories.md, "Reconciling on a schedule"): the accounts
 * found misplaced, and what the plan after the pass put back. Before, the
 * log said only the pass's counts, so a title changed by hand and put back
 * showed nowhere but in the directory.
 */
const NOW = new Date('2030-01-01T00:00:00Z');

interface Said { readonly level: string; readonly message: string; readonly fields?: Record<string, unknown> }

describe('review21: scheduled reconcile log', () => {
  let dir: string | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function run(applied: { applied: number; failed: number }, misplaced: unknown[]): Promise<Said[]> {
    dir ??= mkdtempSync(join(tmpdir(), 'roster-sched-r21-'));
    const store = await openStore('sqlite:./roster.db', { baseDir: dir });
    stores.push(store);
    const engine = {
      config: { sources: [], targets: [{ id: 'corp', reconcile: { match: [], orphans: 'report', schedule: '0 3 * * *' } }] },
      store,
      reconcile: async (target: string) => ({
        target, accounts: 3, linked: 3, matched: [], orphans: [], vanished: [], disputed: [], warnings: [], misplaced, plan: { id: 'r', changes: [], holds: [] },
      }),
      plan: async () => ({ id: 'p1', held: false, holds: [], changes: [] }),
      apply: async (plan: { id: string }) => ({ planId: plan.id, pending: 0, errors: [], ...applied }),
    } as unknown as RosterEngine;
    const said: Said[] = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void said.push({ level, message, ...(fields ? { fields } : {}) });
    const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Logger;
    await new Scheduler(engine, log, () => NOW).runReconcile('corp');
    return said;
  }

  it('counts the misplaced accounts and says what the plan after the pass applied', async () => {
    const said = await run({ applied: 2, failed: 0 }, [{ accountId: 'a1', identity: 'E1', at: 'uid=a,ou=Sales', belongs: 'uid=a,ou=Eng' }]);
    expect(said).toContainEqual({ level: 'info', message: 'scheduled reconcile', fields: { target: 'corp', accounts: 3, matched: 0, orphans: 0, disputed: 0, vanished: 0, misplaced: 1 } });
    expect(said).toContainEqual({ level: 'info', message: 'scheduled reconcile: plan applied', fields: { target: 'corp', planId: 'p1', applied: 2, failed: 0 } });
  });

  it('says nothing more when the plan had nothing to do', async () => {
    const said = await run({ applied: 0, failed: 0 }, []);
    expect(said.map((s) => s.message)).toEqual(['scheduled reconcile']);
  });
});
