import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { Change, Hold, Plan } from '../core/types.js';
import { followUp, type FollowUpParts } from './follow-up.js';
import { openEngine } from './index.js';
import { Planning } from './planning.js';
import { MAX_LINK_READS } from './subset-links.js';
import type { ApplyResult, Engine } from './types.js';

/**
 * The follow-up plan (follow-up.ts) at its edges: a forced apply, holds over
 * changes it leaves out, changes another process queued first, its progress,
 * and the subset plan it is computed from when thousands of people join.
 */
describe('follow-up plan edges (review18)', () => {
  const dirs: string[] = [];
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    memoryTargets.clear();
  });

  const open = async (rows: readonly string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-follow-up-edges-'));
    dirs.push(dir);
    const write = (lines: readonly string[]) => writeFileSync(join(dir, 'hr.csv'), ['employeeId,givenName,managerId', ...lines].join('\n') + '\n');
    write(rows);
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 20%, fields: { manager: managerId } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes:
      username: identity.givenName.lowerAscii()
      manager: 'has(managerAccount.id) ? managerAccount.id : ""'
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
`);
    const engine = await openEngine(join(dir, 'roster.yaml'));
    engines.push(engine);
    await engine.readSource('hr', 'test');
    return { engine, write };
  };
  const managers = () => Object.fromEntries([...(memoryTargets.get('app')?.accounts.values() ?? [])].map((a) => [a.attributes.username, a.attributes.manager]));

  it('an apply forced past a source hold forces its follow-up too: the references are set, not held for another forced apply', async () => {
    const staff = Array.from({ length: 10 }, (_, i) => `P${i},p${i},`);
    const { engine, write } = await open(staff);
    await engine.apply(await engine.plan(), { actor: 't' });
    // Half the feed is missing (held: looks truncated), and a manager joins with her report.
    write([...staff.slice(0, 5), 'M1,mia,', 'R1,rob,M1']);
    await engine.readSource('hr', 'test');
    const plan = await engine.plan();
    expect(plan.holds.map((h) => h.code)).toEqual(['safety.source_truncated']);
    const result = await engine.apply(plan, { actor: 't', force: true });
    expect(result.followUp).toMatchObject({ changes: 1, applied: 1, failed: 0, pending: 0 });
    expect(result.followUp?.held).toBeUndefined();
    expect(managers()).toMatchObject({ mia: '', rob: 'mia' });
    // Recorded as a forced apply of a held plan, as the first one was.
    const applied = (await engine.store.audit.list({ kind: 'plan.applied' })).map((e) => e.data as { planId: string; forced: boolean });
    expect(applied.find((d) => d.planId === result.followUp?.planId)?.forced).toBe(true);
  });

  it('an HR push of a new head, her new leads and their reports, a pair managing each other: one push converges', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-follow-up-push-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: push, key: employeeId, fields: { manager: managerId } }
targets:
  - id: app
    type: memory
    accountKey: username
    scope: identity.employeeId != "OUT"
    attributes:
      username: identity.givenName.lowerAscii()
      manager: 'has(managerAccount.id) ? managerAccount.id : ""'
`);
    const engine = await openEngine(join(dir, 'roster.yaml'));
    engines.push(engine);
    const rows = [['H', 'hedy', ''], ['L', 'lin', 'H'], ['R', 'rob', 'L'], ['A', 'ann', 'B'], ['B', 'ben', 'A'], ['OUT', 'oscar', 'H'], ['X', 'xia', 'OUT']];
    const ingested = await engine.ingest({
      sourceId: 'hr', complete: false, problems: [], rowsRead: rows.length,
      records: rows.map(([employeeId, givenName, managerId], i) => ({ key: employeeId!, line: i + 1, attributes: { employeeId, givenName, managerId } })),
    }, 'push');
    const result = await engine.reconcileIdentities(ingested.affected, 'push');
    expect(result.plan.diagnostics.find((d) => d.code === 'reference.deferred')?.identities).toEqual(['A', 'B', 'L', 'R']);
    expect(result).toMatchObject({ applied: 6, failed: 0, followUp: { changes: 4, applied: 4, failed: 0, pending: 0 } });
    // Out of scope, OUT has no account: X's manager has none to name, and nothing waits for one.
    expect(managers()).toEqual({ hedy: '', lin: 'hedy', rob: 'lin', ann: 'ben', ben: 'ann', xia: '' });
    expect((await engine.plan()).changes).toEqual([]);
  });

  it('the follow-up reports its progress to the apply\'s reporter', async () => {
    const { engine } = await open(['M1,mia,', 'R1,rob,M1', 'R2,ria,M1']);
    const totals: number[] = [];
    const result = await engine.apply(await engine.plan(), { actor: 't', onProgress: (_done, total) => totals.push(total) });
    expect(result.followUp).toMatchObject({ changes: 2, applied: 2 });
    // The plan's 3 creates, then the follow-up's 2 updates.
    expect(totals).toContain(3);
    expect(totals.at(-1)).toBe(2);
  });

  describe('followUp over a computed plan', () => {
    const change = (identity: string, action: Change['action'], after: Record<string, unknown> = {}): Change => ({
      id: `app:${identity}:${action}`, identity, target: 'app', action, reasons: [],
      before: { accountId: identity.toLowerCase(), attributes: {} }, after: { accountId: identity.toLowerCase(), attributes: after },
    });
    const computed = (changes: Change[], holds: Hold[]): Plan => ({
      id: 'next', createdAt: '2026-11-28T00:00:00Z', basis: 1, changes, summary: {}, held: holds.length > 0, holds, diagnostics: [],
    });
    const first: Plan = {
      ...computed([], []), id: 'first',
      diagnostics: [{ severity: 'info', code: 'reference.deferred', target: 'app', identities: ['R1', 'R2'], message: '' }],
    };
    const parts = (plan: Plan, result: Partial<ApplyResult> = {}) => {
      const applied: Plan[] = [];
      const p: FollowUpParts = {
        compute: async () => plan, save: async () => undefined, audit: async () => undefined,
        apply: async (next) => {
          applied.push(next);
          return { planId: next.id, applied: next.changes.length, failed: 0, pending: 0, errors: [], ...result };
        },
        references: new Map([['app', new Set(['manager'])]]), log: silentLogger,
      };
      return { p, applied };
    };

    it('a safety limit met over a change the follow-up leaves out (a report disabled meanwhile) does not hold its updates', async () => {
      const limit: Hold = { target: 'app', code: 'safety.max_disables', message: 'would disable 1 of 2', count: 1, limit: 0 };
      const { p, applied } = parts(computed([change('R1', 'update', { manager: 'mia' }), change('R2', 'disable')], [limit]));
      const result = await followUp(first, 't', p);
      expect(result).toMatchObject({ changes: 1, applied: 1 });
      expect(result?.held).toBeUndefined();
      expect(applied[0]).toMatchObject({ held: false, holds: [], changes: [expect.objectContaining({ identity: 'R1', action: 'update' })] });
    });

    it('a source hold still holds it (unless forced)', async () => {
      const truncated: Hold = { target: '*', code: 'safety.source_truncated', message: 'truncated', count: 5, limit: 2 };
      const plan = computed([change('R1', 'update', { manager: 'mia' })], [truncated]);
      const held = parts(plan);
      expect(await followUp(first, 't', held.p)).toMatchObject({ held: true, applied: 0, pending: 1 });
      expect(held.applied).toEqual([]);
      const forced = parts(plan);
      expect(await followUp(first, 't', { ...forced.p, force: true })).toMatchObject({ changes: 1, applied: 1 });
      expect(forced.applied[0]?.holds).toEqual([truncated]);
    });

    it('counts the updates it applied, not those another process queued first (its plan applies them)', async () => {
      const plan = computed([change('R1', 'update', { manager: 'mia' }), change('R2', 'update', { manager: 'mia' })], []);
      const { p } = parts(plan, { applied: 1, leftOut: { changes: 1, notes: [] } });
      expect(await followUp(first, 't', p)).toMatchObject({ changes: 1, applied: 1, failed: 0, pending: 0 });
    });
  });

  it('a subset plan of thousands of people reads their links at once, not one read each (10,000 took 8 s)', async () => {
    const people = MAX_LINK_READS + 200;
    const rows = Array.from({ length: people }, (_, i) => `E${i},p${i},${i === 0 ? '' : `E${Math.floor((i - 1) / 8)}`}`);
    const { engine } = await open(rows);
    let oneByOne = 0;
    const accounts = new Proxy(engine.store.accounts, {
      get(target, name, receiver) {
        if (name === 'listByIdentity') oneByOne++;
        return Reflect.get(target, name, receiver) as unknown;
      },
    });
    const store = Object.create(engine.store, { accounts: { value: accounts } }) as typeof engine.store;
    const planning = new Planning(engine.config, store);
    const ids = rows.map((r) => r.split(',')[0]!);
    const plan = await planning.compute({ identities: ids }, new Date());
    expect(plan.changes.filter((c) => c.action === 'create')).toHaveLength(people);
    // Only their 150 managers' links, fewer than MAX_LINK_READS, are read one by one.
    expect(oneByOne).toBe(Math.ceil((people - 1) / 8));
    // A small subset still reads its people's links one by one (3), and their manager's (E0); creating E1-E3's
    // accounts, it also reads those of their 24 reports outside it (E9-E32, outside-reports.ts).
    oneByOne = 0;
    await planning.compute({ identities: ids.slice(1, 4) }, new Date());
    expect(oneByOne).toBe(4 + 24);
  });
});
