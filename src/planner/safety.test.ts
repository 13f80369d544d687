import { describe, expect, it } from 'vitest';
import type { Hold } from '../core/types.js';
import { link, testSafety, testTarget } from '../policy/test-config.js';
import { planOf, want } from './plan-fixtures.js';

const leavers = (n: number, present: boolean) =>
  Array.from({ length: n }, (_, i) => want(`e${i}`, { present, enabled: false, reasons: ['leaver.terminated'] }));
const links = (n: number) => Array.from({ length: n }, (_, i) => link(`e${i}`, { attributes: { username: `e${i}`, email: `e${i}@example.com` } }));

describe('plan: safety holds', () => {
  it('holds a plan deleting more than the percentage limit, and says why in words', () => {
    const p = planOf(leavers(412, false), links(412), { totals: new Map([['app', 1003]]) });
    expect(p.held).toBe(true);
    expect(p.holds).toEqual([{
      target: 'app', code: 'safety.max_deletes', count: 412, limit: 50,
      message: 'would delete 412 of 1,003 accounts in app (41%); the limit is 5%',
    }]);
    expect(p.summary).toEqual({ delete: 412 });
  });

  it('allows deletes up to the limit', () => {
    const p = planOf(leavers(5, false), links(5), { totals: new Map([['app', 100]]) });
    expect(p.held).toBe(false);
    expect(p.summary.delete).toBe(5);
  });

  it('holds by count and checks disables separately', () => {
    const targets = [testTarget({ safety: testSafety({ maxDisables: { count: 3 } }) })];
    const p = planOf(leavers(4, true), links(4), { targets, totals: new Map([['app', 1000]]) });
    expect(p.holds.map((h) => [h.code, h.count, h.limit])).toEqual([['safety.max_disables', 4, 3]]);
    expect(p.holds[0]?.message).toBe('would disable 4 of 1,000 accounts in app (0%); the limit is 3 accounts');
    expect(planOf(leavers(3, true), links(3), { targets, totals: new Map([['app', 1000]]) }).held).toBe(false);
  });

  it('does not apply thresholds to targets with fewer than minAccounts linked accounts', () => {
    expect(planOf(leavers(9, false), links(9), { totals: new Map([['app', 9]]) }).held).toBe(false);
    expect(planOf(leavers(10, false), links(10), { totals: new Map([['app', 10]]) }).held).toBe(true);
  });

  it('merges upstream holds', () => {
    const upstream: Hold = { target: '*', code: 'safety.source_truncated', message: 'hr looks truncated', count: 300, limit: 20 };
    const p = planOf([], [], { holds: [upstream] });
    expect(p).toMatchObject({ held: true, holds: [upstream], changes: [] });
  });
});

describe('plan: safety percentages of a small target', () => {
  it('allow at least one account from minAccounts linked accounts up: one leaver in 10 to 19 is not held, two are', () => {
    for (const total of [10, 15, 19]) {
      expect(planOf(leavers(1, false), links(1), { totals: new Map([['app', total]]) }).held).toBe(false);
      expect(planOf(leavers(1, true), links(1), { totals: new Map([['app', total]]) }).held).toBe(false);
      const two = planOf(leavers(2, false), links(2), { totals: new Map([['app', total]]) });
      expect(two.holds).toEqual([{
        target: 'app', code: 'safety.max_deletes', count: 2, limit: 1,
        message: `would delete 2 of ${total} accounts in app (${Math.round(200 / total)}%); the limit is 5% (at least 1 account)`,
      }]);
    }
    // 5% of 40 is 2: the floor of one changes nothing above it.
    expect(planOf(leavers(3, false), links(3), { totals: new Map([['app', 40]]) }).holds)
      .toMatchObject([{ count: 3, limit: 2, message: expect.stringMatching(/the limit is 5%$/) }]);
  });

  it('keep 0%, a count of 0 and minAccounts: 0 strict', () => {
    const strict = (safety: Parameters<typeof testSafety>[0]) =>
      planOf(leavers(1, false), links(1), { targets: [testTarget({ safety: testSafety(safety) })], totals: new Map([['app', 12]]) });
    expect(strict({ maxDeletes: { percent: 0 } }).holds).toMatchObject([{ code: 'safety.max_deletes', limit: 0 }]);
    expect(strict({ maxDeletes: { count: 0 } }).holds).toMatchObject([{ code: 'safety.max_deletes', limit: 0 }]);
    expect(strict({ minAccounts: 0 }).holds).toMatchObject([{ code: 'safety.max_deletes', limit: 0 }]);
  });

  it('applies to maxRevokes too: 10% of 10 to 19 accounts allows one', () => {
    const lose = (n: number) => Array.from({ length: n }, (_, i) => want(`e${i}`, { entitlements: [] }));
    const holdingStaff = (n: number) => links(n).map((l) => ({ ...l, entitlements: ['staff'] }));
    expect(planOf(lose(1), holdingStaff(1), { totals: new Map([['app', 10]]) }).held).toBe(false);
    expect(planOf(lose(2), holdingStaff(2), { totals: new Map([['app', 19]]) }).holds).toMatchObject([{ code: 'safety.max_revokes', count: 2, limit: 1 }]);
  });
});
