import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { memoryTargets } from '../../src/connectors/memory/index.js';
import { isRosterError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { ApplyResult } from '../../src/engine/types.js';
import { freshSchema } from '../support/pg.js';

/**
 * Two processes on one PostgreSQL store apply plans made from the same state,
 * both creating a manager and her 30 reports: each makes its follow-up, the
 * references are set once each, the counts each reports add up, and the
 * next plan is empty.
 */
describe('follow-up plans of two processes on one PostgreSQL store (review18)', () => {
  const engines: Engine[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const c of cleanups.splice(0)) await c();
    memoryTargets.clear();
  });

  it('converge without a stale follow-up or a change applied twice over', async () => {
    const schema = await freshSchema('r18_follow_up');
    cleanups.push(schema.drop);
    const dir = mkdtempSync(join(tmpdir(), 'roster-follow-up-pg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const rows = ['M,mia,', ...Array.from({ length: 30 }, (_, i) => `R${i},r${i},M`)];
    writeFileSync(join(dir, 'hr.csv'), ['employeeId,givenName,managerId', ...rows].join('\n') + '\n');
    writeFileSync(join(dir, 'roster.yaml'), `
store: ${schema.url}
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, fields: { manager: managerId } }
targets:
  - id: app
    type: memory
    connection: { key: username, latencyMs: 3 }
    accountKey: username
    attributes:
      username: identity.givenName.lowerAscii()
      manager: 'has(managerAccount.id) ? managerAccount.id : ""'
`);
    const a = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger });
    engines.push(a);
    const b = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger });
    engines.push(b);
    await a.readSource('hr', 'test');
    const [pa, pb] = [await a.plan(), await b.plan()];
    const settled = await Promise.allSettled([a.apply(pa, { actor: 'a' }), b.apply(pb, { actor: 'b' })]);
    const results: ApplyResult[] = [];
    for (const s of settled) {
      if (s.status === 'fulfilled') results.push(s.value);
      // The one whose plan the other's queuing made stale applied nothing: refused as any stale plan is.
      else expect(isRosterError(s.reason, 'plan.stale')).toBe(true);
    }
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      const f = r.followUp;
      if (f === undefined) continue;
      // What a follow-up reports adds up: its updates are those it applied, failed or still waits for.
      expect(f.applied + f.failed + f.pending).toBe(f.changes);
      expect(f.failed).toBe(0);
      expect((await a.store.plans.get(f.planId))?.changes).toHaveLength(f.changes);
    }
    const target = memoryTargets.get('app');
    expect(target?.calls('create')).toBe(31);
    const reports = [...(target?.accounts.values() ?? [])].filter((acc) => acc.attributes.username !== 'mia');
    expect(reports.map((acc) => acc.attributes.manager)).toEqual(Array.from({ length: 30 }, () => 'mia'));
    expect((await a.plan()).changes).toEqual([]);
    expect((await b.plan()).changes).toEqual([]);
    expect((await verifyAudit(a.store)).ok).toBe(true);
  }, 60_000);
});
