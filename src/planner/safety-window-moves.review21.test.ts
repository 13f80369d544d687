import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import type { Change } from '../core/types.js';
import { safetyCounts, safetyHolds } from './safety.js';
import { countsInWindow, recordCounts, windowHolds, type WindowLog } from './safety-window.js';

const target: TargetConfig = {
  id: 'corp-ldap', type: 'ldap', connection: { users: { placement: 'enforce' } }, scope: 'true', attributes: {}, accountKey: 'uid',
  leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
  safety: { maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10, windowMs: 3_600_000 },
  executor: { concurrency: 1, maxAttempts: 1, backoffBaseMs: 0, backoffMaxMs: 0, quarantineAfter: 20 },
};
const move = (identity: string): Change => ({ id: `${identity}:update`, target: 'corp-ldap', identity, action: 'update', reasons: ['active', 'placement.drift'], before: null, after: null });
const disable = (identity: string): Change => ({ id: `${identity}:disable`, target: 'corp-ldap', identity, action: 'disable', reasons: ['leaver.terminated'], before: null, after: null });
const T0 = Date.parse('2026-11-27T10:00:00Z');
const totals = new Map([['corp-ldap', 40]]);

describe('review21: placement moves are judged per plan, not over the safety window', () => {
  it('a push carrying a move and a termination is not held by the moves before it; the window never stores moves', () => {
    let log: WindowLog | undefined;
    // Ten pushes, each moving one misplaced person back (each under the per-plan limit of 4).
    for (let i = 0; i < 10; i++) {
      const one = safetyCounts([move(`E${i}`)]);
      expect(safetyHolds([move(`E${i}`)], [target], totals)).toEqual([]);
      expect(countsInWindow(one, [target])).toBe(false);
      log = recordCounts(log, one, [target], T0 + i * 60_000);
    }
    expect(log).toEqual({});
    // The eleventh carries a termination too: it goes, not held for the moves.
    const termination = safetyCounts([move('E10'), disable('E10')]);
    expect(windowHolds(termination, log, [target], totals, T0 + 11 * 60_000)).toEqual([]);
  });

  it('one plan moving more than maxMoves is held by safety.max_moves', () => {
    const changes = ['E1', 'E2', 'E3', 'E4', 'E5'].map(move);
    expect(safetyHolds(changes, [target], totals).map((h) => [h.code, h.count, h.limit])).toEqual([['safety.max_moves', 5, 4]]);
  });
});
