import { describe, expect, it } from 'vitest';
import type { DesiredAccount, LinkedAccount } from '../core/types.js';
import { link, testSafety, testTarget } from '../policy/test-config.js';
import { planOf, want } from './plan-fixtures.js';

/** Accounts e0.. holding `have`, and HR now giving them `keep` (an emptied department column: the role is gone). */
const holding = (n: number, have: string[]): LinkedAccount[] =>
  Array.from({ length: n }, (_, i) => link(`e${i}`, { attributes: { username: `e${i}`, email: `e${i}@example.com` }, entitlements: have }));
const keeping = (n: number, keep: string[], overrides: Partial<DesiredAccount> = {}): DesiredAccount[] =>
  Array.from({ length: n }, (_, i) => want(`e${i}`, { entitlements: keep, ...overrides }));
const totals = (n: number) => new Map([['app', n]]);
const revokeHolds = (holds: readonly { code: string }[]) => holds.filter((h) => h.code === 'safety.max_revokes');

describe('plan: safety.maxRevokes (mass revocation)', () => {
  it('holds a plan taking an entitlement from more accounts than the limit (default 10%), and says why in words', () => {
    const p = planOf(keeping(150, ['staff']), holding(150, ['engineers', 'staff']), { totals: totals(1000) });
    expect(p.held).toBe(true);
    expect(p.holds).toEqual([{
      target: 'app', code: 'safety.max_revokes', count: 150, limit: 100,
      message: 'would revoke entitlements from 150 of 1,000 accounts in app (15%); the limit is 10%',
    }]);
    expect(p.summary).toEqual({ revoke: 150 });
    expect(planOf(keeping(100, ['staff']), holding(100, ['engineers', 'staff']), { totals: totals(1000) }).held).toBe(false);
  });

  it('counts accounts, not revokes: three entitlements lost by one account count once', () => {
    const targets = [testTarget({ safety: testSafety({ maxRevokes: { count: 3 } }) })];
    const three = planOf(keeping(3, []), holding(3, ['a', 'b', 'c']), { targets, totals: totals(1000) });
    expect(three.summary).toEqual({ revoke: 9 });
    expect(three.held).toBe(false);
    const four = planOf(keeping(4, []), holding(4, ['a', 'b', 'c']), { targets, totals: totals(1000) });
    expect(four.holds.map((h) => [h.code, h.count, h.limit, h.message])).toEqual([
      ['safety.max_revokes', 4, 3, 'would revoke entitlements from 4 of 1,000 accounts in app (0%); the limit is 3 accounts'],
    ]);
  });

  it('does not count a leaver whose account is disabled in the same plan: maxDisables judges it', () => {
    const targets = [testTarget({ safety: testSafety({ maxRevokes: { count: 0 } }) })];
    const leavers = keeping(8, [], { enabled: false, reasons: ['leaver.terminated', 'leaver.revoke_all'] });
    const p = planOf(leavers, holding(8, ['staff']), { targets, totals: totals(100) });
    expect(p.summary).toEqual({ revoke: 8, disable: 8 });
    expect(p.holds).toEqual([]);
    // Over the disable limit it is held once, by maxDisables.
    const many = keeping(11, [], { enabled: false, reasons: ['leaver.terminated', 'leaver.revoke_all'] });
    expect(planOf(many, holding(11, ['staff']), { targets, totals: totals(100) }).holds.map((h) => h.code)).toEqual(['safety.max_disables']);
  });

  it('does count a leaver kept enabled (leaver.disable: never): no other limit sees its revoke-all', () => {
    const targets = [testTarget({ safety: testSafety({ maxRevokes: { count: 2 } }) })];
    const kept = keeping(3, [], { enabled: true, reasons: ['leaver.terminated', 'leaver.revoke_all'] });
    const p = planOf(kept, holding(3, ['staff']), { targets, totals: totals(100) });
    expect(p.holds.map((h) => [h.code, h.count, h.limit])).toEqual([['safety.max_revokes', 3, 2]]);
  });

  it('counts only the accounts of this target, and mixes with other changes in one pass', () => {
    const safety = testSafety({ maxRevokes: { count: 1 } });
    const targets = [testTarget({ safety }), testTarget({ id: 'crm', safety })];
    const desired = [
      want('a', { entitlements: ['x'] }), want('b', { entitlements: [], enabled: false, reasons: ['leave.suspended', 'leaver.revoke_all'] }),
      want('c', { entitlements: ['y'] }), want('a', { target: 'crm', entitlements: [] }), want('new', { entitlements: ['x'] }),
    ];
    const links = [
      link('a', { attributes: { username: 'a', email: 'a@example.com' }, entitlements: ['x', 'y'] }),
      link('b', { attributes: { username: 'b', email: 'b@example.com' }, entitlements: ['x'] }),
      link('c', { attributes: { username: 'c', email: 'c@example.com' }, entitlements: ['x'] }),
      link('a', { target: 'crm', attributes: { username: 'a', email: 'a@example.com' }, entitlements: ['z'] }),
    ];
    const p = planOf(desired, links, { targets, totals: new Map([['app', 50], ['crm', 50]]) });
    // app: a and c lose one (b is disabled: not counted); crm: a loses one.
    expect(revokeHolds(p.holds)).toEqual([expect.objectContaining({ target: 'app', count: 2, limit: 1 })]);
  });

  it('follows minAccounts: a target with fewer linked accounts is exempt', () => {
    expect(planOf(keeping(9, []), holding(9, ['staff']), { totals: totals(9) }).held).toBe(false);
    expect(revokeHolds(planOf(keeping(10, []), holding(10, ['staff']), { totals: totals(10) }).holds)).toHaveLength(1);
  });
});
