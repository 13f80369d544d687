import { describe, expect, it } from 'vitest';
import type { Change, LinkedAccount } from '../core/types.js';
import { testSafety, testTarget } from '../policy/test-config.js';
import { unforceableHolds } from '../reconcile/holds.js';
import { planOf, want } from './plan-fixtures.js';
import { safetyCounts } from './safety.js';

/**
 * safety.maxMoves: a plan moving more accounts back where users.dn places
 * them (placement drift, users.placement: enforce) than the limit is held,
 * as a mistyped users.dn makes every account misplaced at once.
 */
const enforcing = (safety: Parameters<typeof testSafety>[0] = {}) => [testTarget({ connection: { users: { placement: 'enforce' } }, safety: testSafety(safety) })];
const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);
const misplaced = (id: string, over: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId: id, accountId: `u-${id}`, attributes: { username: id, email: `${id}@example.com` }, entitlements: [], enabled: true,
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  placement: { at: `uid=${id},ou=Engineering,ou=people,dc=x`, belongs: `uid=${id},ou=Engneering,ou=people,dc=x` }, ...over,
});
const movesOf = (n: number, options: { total?: number; safety?: Parameters<typeof testSafety>[0] } = {}) =>
  planOf(ids(n).map((id) => want(id)), ids(n).map((id) => misplaced(id)), { targets: enforcing(options.safety), totals: new Map([['app', options.total ?? 20]]) });

describe('review21: safety.maxMoves counts placement drift moves', () => {
  it('counts each account with a placement.drift update once; an HR-driven update (a mover) is not counted', () => {
    const update = (identity: string, reasons: string[], id = `${identity}:update`): Change => ({ id, identity, target: 'app', action: 'update', reasons, before: null, after: null });
    const counts = safetyCounts([
      update('e1', ['active', 'placement.drift']),
      update('e1', ['active', 'placement.drift'], 'e1:update:again'),
      // Values written and misplaced: the same update carries the move.
      update('e2', ['active', 'mapping.changed', 'placement.drift']),
      // A department change moves the entry too, but HR asked for it.
      update('e3', ['mover', 'mapping.changed']),
      { id: 'x:update', identity: 'x', target: 'other', action: 'update', reasons: ['mover'], before: null, after: null },
    ]);
    expect(counts.get('app')).toEqual({ deletes: 0, disables: 0, revokes: 0, moves: 2 });
    expect(counts.has('other')).toBe(false);
    // No move: no moves key (the window stores nothing new for it).
    expect(safetyCounts([{ id: 'd', identity: 'e4', target: 'app', action: 'disable', reasons: [], before: null, after: null }]).get('app')).toEqual({ deletes: 0, disables: 1, revokes: 0 });
  });

  it('holds a plan moving more than 10% (the default) with safety.max_moves, saying how many, where and why', () => {
    const plan = movesOf(20);
    expect(plan.summary).toEqual({ update: 20 });
    expect(plan.held).toBe(true);
    expect(plan.holds).toEqual([{
      target: 'app', code: 'safety.max_moves', count: 20, limit: 2,
      message: 'would move 20 of 20 accounts in app back where users.dn places them (placement drift; 100%); the limit is 10%',
    }]);
  });

  it('is not held up to the limit, nor below minAccounts, nor for the same updates with reasons HR gave', () => {
    expect(movesOf(2).held).toBe(false);
    expect(movesOf(3).holds.map((h) => [h.code, h.count, h.limit])).toEqual([['safety.max_moves', 3, 2]]);
    expect(movesOf(9, { total: 9 }).held).toBe(false);
    // A target that keeps placement plans no move at all.
    const keep = planOf(ids(20).map((id) => want(id)), ids(20).map((id) => misplaced(id)), { targets: [testTarget()], totals: new Map([['app', 20]]) });
    expect(keep).toMatchObject({ held: false, changes: [] });
    // Movers (a new department for all 20): HR-driven, not counted.
    const movers = planOf(ids(20).map((id) => want(id, { attributes: { username: id, email: `${id}@example.com`, department: 'Sales' }, reasons: ['mover'] })),
      ids(20).map((id) => misplaced(id, { placement: undefined })), { targets: enforcing(), totals: new Map([['app', 20]]) });
    expect(movers.summary).toEqual({ update: 20 });
    expect(movers.held).toBe(false);
  });

  it('takes a count or a percentage as written; a count says accounts', () => {
    expect(movesOf(20, { safety: { maxMoves: { count: 20 } } }).held).toBe(false);
    expect(movesOf(20, { safety: { maxMoves: { percent: 100 } } }).held).toBe(false);
    const counted = movesOf(6, { safety: { maxMoves: { count: 5 } } });
    expect(counted.holds).toEqual([expect.objectContaining({ code: 'safety.max_moves', count: 6, limit: 5 })]);
    expect(counted.holds[0]?.message).toBe('would move 6 of 20 accounts in app back where users.dn places them (placement drift; 30%); the limit is 5 accounts');
    expect(movesOf(1, { safety: { maxMoves: { percent: 0 } } }).holds.map((h) => h.code)).toEqual(['safety.max_moves']);
  });

  it('is a limit --force lifts (not one of the holds only a fix lifts)', () => {
    const plan = movesOf(20);
    expect(plan.held).toBe(true);
    expect(unforceableHolds(plan)).toEqual([]);
  });
});
