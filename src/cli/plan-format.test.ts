import { describe, expect, it } from 'vitest';
import type { Change, Plan } from '../core/types.js';
import { createStyle } from './format.js';
import { describeChange, ingestText, ingestWorthShowing, planJson, planSummaryText, summaryByTarget } from './plan-format.js';

const base = { reasons: ['x'] };
const changes: Change[] = [
  { ...base, id: 'app:E1:create', identity: 'E1', target: 'app', action: 'create', before: null, after: { attributes: { username: 'zoe.muller' }, enabled: true } },
  { ...base, id: 'app:E2:update', identity: 'E2', target: 'app', action: 'update', before: { attributes: { title: 'Engineer', dept: 'R&D' } }, after: { attributes: { title: 'Lead', dept: 'R&D' } } },
  { ...base, id: 'ldap:E3:disable', identity: 'E3', target: 'ldap', action: 'disable', before: { accountId: 'e3', enabled: true }, after: { accountId: 'e3', enabled: false } },
  { ...base, id: 'app:E1:grant:eng', identity: 'E1', target: 'app', action: 'grant', before: null, after: { entitlement: 'engineers' } },
];
const plan: Plan = {
  id: 'p1', createdAt: '2026-11-27T00:00:00Z', basis: 7, changes, summary: { create: 1, update: 1, disable: 1, grant: 1 }, held: true,
  holds: [{ target: 'ldap', code: 'safety.max_disables', message: 'too many disables', count: 30, limit: 10 }], diagnostics: [],
};

describe('plan formatting', () => {
  it('describes what each change does', () => {
    expect(describeChange(changes[0]!)).toBe('username=zoe.muller');
    expect(describeChange(changes[1]!)).toBe('title: Engineer → Lead');
    expect(describeChange(changes[2]!)).toBe('e3 enabled: true → false');
    expect(describeChange(changes[3]!)).toBe('+ engineers');
  });

  it('says what an update that writes nothing to the target is for (the out-of-scope mark)', () => {
    const mark = (reasons: string[]): Change => ({
      reasons, id: 'app:E4:update', identity: 'E4', target: 'app', action: 'update', before: { attributes: {} }, after: { attributes: {} },
    });
    expect(describeChange(mark(['scope.removed']))).toBe('nothing written: starts the delete grace (out of scope)');
    expect(describeChange(mark(['active']))).toBe('nothing written: back in scope');
  });

  it('counts actions per target and puts holds in words', () => {
    expect(summaryByTarget(plan)).toEqual(['  app: 1 create, 1 update, 1 grant', '  ldap: 1 disable']);
    const text = planSummaryText(plan, createStyle(false, {}));
    expect(text).toContain('held: ldap: too many disables (30 against a limit of 10; safety.max_disables)');
    expect(text).toContain('This plan is held');
  });

  it('--json has exactly the documented keys', () => {
    const json = planJson(plan);
    expect(Object.keys(json).sort()).toEqual(['basis', 'changes', 'diagnostics', 'held', 'holds', 'id', 'summary']);
    expect(Object.keys(json.changes[0]!).sort()).toEqual(['action', 'after', 'before', 'id', 'identity', 'reasons', 'target']);
  });

  it('lists the first 20 skipped rows of a source read and says how many more there are', () => {
    const ingest = (count: number) => ({
      sourceId: 'hr', received: count, created: 0, changed: 0, missing: 0, diagnostics: [],
      problems: Array.from({ length: count }, (_, i) => ({ line: i + 2, key: `E${i}`, message: 'column "startDate" is not an ISO date' })),
    }) as unknown as Parameters<typeof ingestText>[0];
    const style = createStyle(false, {});
    expect(ingestText(ingest(20), style).split('\n')).toHaveLength(21);
    const cut = ingestText(ingest(23), style).split('\n');
    expect(cut).toHaveLength(22);
    expect(cut[20]).toBe('  line 21 (E19): column "startDate" is not an ISO date');
    expect(cut[21]).toBe('  … and 3 more rows skipped (--json lists them all)');
    expect(ingestText(ingest(21), style)).toContain('… and 1 more row skipped');
  });

  it('prints the merge\'s warnings after the skipped rows (a respelled key), not its info notes; a read with neither is not printed', () => {
    const read = (diagnostics: unknown[]) => ({
      sourceId: 'hr', received: 3, created: 0, changed: 1, missing: 0, problems: [], diagnostics,
    }) as unknown as Parameters<typeof ingestText>[0];
    const style = createStyle(false, {});
    const respelled = { severity: 'warning', code: 'source.key_respelled', message: 'hr: key "e5" (line 4) is stored as "E5"' };
    const info = { severity: 'info', code: 'source.note', message: 'nothing to see' };
    expect(ingestText(read([respelled, info]), style).split('\n')).toEqual([
      'Source hr: 3 received, 0 new, 1 changed, 0 missing, 0 problems',
      '  warning: hr: key "e5" (line 4) is stored as "E5" (source.key_respelled)',
    ]);
    expect(ingestWorthShowing(read([respelled]))).toBe(true);
    expect(ingestWorthShowing(read([info]))).toBe(false);
  });
});
