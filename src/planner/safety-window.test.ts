import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import type { Change } from '../core/types.js';
import { safetyCounts } from './safety.js';
import { countsBeyond, describeWindow, recordCounts, windowCounts, windowHolds, withdrawCounts, type WindowLog } from './safety-window.js';

const target = (safety: Partial<TargetConfig['safety']> = {}): TargetConfig => ({
  id: 'app', type: 'memory', connection: {}, scope: 'true', attributes: {}, accountKey: 'username',
  leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
  safety: { maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10, windowMs: 3_600_000, ...safety },
  executor: { concurrency: 1, maxAttempts: 1, backoffBaseMs: 0, backoffMaxMs: 0, quarantineAfter: 20 },
});
const change = (action: Change['action'], identity: string): Change => ({ id: `${action}-${identity}`, target: 'app', identity, action } as Change);
const T0 = Date.parse('2026-11-27T10:00:00Z');
const MIN = 60_000;
const totals = new Map([['app', 40]]);

describe('safety over a sliding window', () => {
  it('adds what the window holds to the plan, and holds past the limit with the window in the message', () => {
    const app = target();
    let log: WindowLog | undefined;
    for (let i = 0; i < 3; i++) log = recordCounts(log, safetyCounts([change('disable', `E${i}`)]), [app], T0 + i * MIN);
    expect(windowCounts(log, app, T0 + 5 * MIN)).toEqual({ deletes: 0, disables: 3, revokes: 0 });
    const plan = safetyCounts([change('disable', 'E8'), change('revoke', 'E8')]);
    expect(windowHolds(plan, log, [app], totals, T0 + 5 * MIN)).toEqual([]);
    const two = safetyCounts([change('disable', 'E8'), change('disable', 'E9')]);
    expect(windowHolds(two, log, [app], totals, T0 + 5 * MIN)).toEqual([{
      target: 'app', code: 'safety.max_disables_window', count: 5, limit: 4,
      message: 'would disable 5 of 40 accounts in app within 1h (3 already in the last 1h, 2 in this plan; 13%); the limit is 10% (safety.window: 1h)',
    }]);
  });

  it('forgets a step once all of it is older than the window (judged in sixtieths of it), and keeps at most one entry per step', () => {
    const app = target({ maxDisables: { count: 1 } });
    const one = safetyCounts([change('disable', 'E1')]);
    let log = recordCounts(undefined, one, [app], T0 + 10_000);
    log = recordCounts(log, one, [app], T0 + 50_000);
    expect(log.app).toEqual([[T0, 0, 2, 0]]);
    expect(windowHolds(one, log, [app], totals, T0 + 60 * MIN + 59_000)).toHaveLength(1);
    expect(windowHolds(one, log, [app], totals, T0 + 61 * MIN)).toEqual([]);
    expect(recordCounts(log, new Map(), [app], T0 + 61 * MIN)).toEqual({});
  });

  it('judges only limits the plan adds to, is off at 0, and exempts a target below minAccounts', () => {
    const app = target({ maxDisables: { count: 1 }, maxDeletes: { count: 1 } });
    const log = recordCounts(undefined, safetyCounts([change('disable', 'E1'), change('disable', 'E2')]), [app], T0);
    expect(windowHolds(safetyCounts([change('delete', 'E3')]), log, [app], totals, T0)).toEqual([]);
    expect(windowHolds(safetyCounts([change('disable', 'E3')]), log, [app], totals, T0).map((h) => h.code)).toEqual(['safety.max_disables_window']);
    expect(windowHolds(safetyCounts([change('disable', 'E3')]), log, [target({ maxDisables: { count: 1 }, windowMs: 0 })], totals, T0)).toEqual([]);
    expect(windowHolds(safetyCounts([change('disable', 'E3')]), log, [app], new Map([['app', 9]]), T0)).toEqual([]);
    expect(recordCounts(log, safetyCounts([change('disable', 'E3')]), [target({ windowMs: 0 })], T0)).toEqual({});
  });

  it('counts revokes of accounts kept enabled, as one plan does', () => {
    const app = target({ maxRevokes: { count: 1 } });
    const log = recordCounts(undefined, safetyCounts([change('revoke', 'E1'), change('revoke', 'E1')]), [app], T0);
    expect(log.app).toEqual([[T0, 0, 0, 1]]);
    expect(windowHolds(safetyCounts([change('revoke', 'E2')]), log, [app], totals, T0)[0]).toMatchObject({ code: 'safety.max_revokes_window', count: 2, limit: 1 });
    expect(windowHolds(safetyCounts([change('revoke', 'E2'), change('disable', 'E2')]), log, [app], totals, T0)).toEqual([]);
  });

  it('takes back counts from the step they were recorded in, never below zero, leaving other steps alone', () => {
    const app = target();
    const three = [change('disable', 'E1'), change('disable', 'E2'), change('revoke', 'E3')];
    let log = recordCounts(undefined, safetyCounts(three), [app], T0);
    log = recordCounts(log, safetyCounts([change('disable', 'E4')]), [app], T0 + 2 * MIN);
    // E2's disable and E3's revoke were left out of the queue (another plan had queued them).
    const beyond = countsBeyond(safetyCounts(three), safetyCounts([change('disable', 'E1')]));
    expect(beyond.get('app')).toEqual({ deletes: 0, disables: 1, revokes: 1 });
    const taken = withdrawCounts(log, beyond, [app], T0 + 30_000);
    expect(taken.app).toEqual([[T0, 0, 1, 0], [T0 + 2 * MIN, 0, 1, 0]]);
    expect(windowCounts(taken, app, T0 + 3 * MIN)).toEqual({ deletes: 0, disables: 2, revokes: 0 });
    // Taken back twice (a retried call): the step stays at zero.
    expect(withdrawCounts(withdrawCounts(taken, beyond, [app], T0), beyond, [app], T0).app?.[0]).toEqual([T0, 0, 0, 0]);
    // A step no longer in the log (left the window) is not made up.
    expect(withdrawCounts(log, beyond, [app], T0 - 10 * MIN)).toEqual(log);
  });

  it('names windows as the configuration writes them', () => {
    expect([3_600_000, 5_400_000, 86_400_000, 604_800_000, 45_000, 1_500].map(describeWindow)).toEqual(['1h', '90m', '1d', '1w', '45s', '1500ms']);
  });
});
