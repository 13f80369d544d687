import { describe, expect, it } from 'vitest';
import type { DesiredAccount, JobStatus, LinkedAccount, Plan } from '../core/types.js';
import { NOW, testSafety, testTarget } from '../policy/test-config.js';
import { key, want } from './plan-fixtures.js';
import { plan } from './plan.js';
import { QueuedChanges } from './queued.js';
import { SUPERSEDED } from './superseded.js';
import { WITHDRAWN } from './withdrawn.js';

/**
 * Review 22: a leaver's delete waits in the queue (the target quarantined);
 * HR undoes the termination. The next plan withdraws the waiting delete
 * instead of letting it destroy the account and creating a new one after it.
 */
const link = (identityId: string, overrides: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId, accountId: `uuid-${identityId}`, attributes: { username: identityId, email: `${identityId}@example.com` },
  entitlements: ['staff'], enabled: false, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), disabledAt: NOW.toISOString(), ...overrides,
});
const kept = (id: string, overrides: Partial<DesiredAccount> = {}): DesiredAccount => want(id, { entitlements: ['staff'], reasons: ['active'], ...overrides });
const gone = (id: string): DesiredAccount => want(id, { present: false, enabled: false, attributes: {}, entitlements: [], reasons: ['leaver.terminated'] });

function planned(id: string, desired: readonly DesiredAccount[], links: readonly LinkedAccount[], queued?: { plan: Plan; status: JobStatus }): Plan {
  return plan({
    id, now: NOW, basis: 1, desired, targets: [testTarget({ safety: testSafety({ maxDeletes: { count: 0 }, maxDisables: { count: 0 }, minAccounts: 0 }) })],
    totals: new Map([['app', 100]]), linked: new Map(links.map((l) => [key(l.target, l.identityId), l])),
    ...(queued === undefined ? {} : {
      queued: new QueuedChanges(queued.plan.changes.map((change) => ({ planId: queued.plan.id, change, jobId: `${queued.plan.id}:${change.id}`, status: queued.status }))),
    }),
  });
}

describe('a queued delete or disable no longer wanted is withdrawn (review 22)', () => {
  it('a termination undone while the delete waits: the delete is withdrawn, the account enabled, nothing created', () => {
    const links = [link('E1')];
    const leaving = planned('p1', [gone('E1')], links);
    expect(leaving.summary).toEqual({ delete: 1 });
    const back = planned('p2', [kept('E1')], links, { plan: leaving, status: 'pending' });
    expect(back.withdrawn).toEqual([{
      jobId: 'p1:app:E1:delete', queuedBy: 'p1', change: leaving.changes[0], reasons: [WITHDRAWN, 'active'],
    }]);
    // Diffed against the link as it is (the delete never runs): enabled again, no create of a new account.
    expect(back.changes.map((c) => c.action)).toEqual(['enable']);
    expect(back.changes[0]?.before?.accountId).toBe('uuid-E1');
    expect(back.summary).toEqual({ enable: 1 });
    // A withdrawn delete is no delete: a limit of 0 deletes holds nothing.
    expect(back.held).toBe(false);
    expect(back.diagnostics).toEqual([]);
  });

  it('a delete already running is not withdrawn: the plan follows it with a create, as before', () => {
    const links = [link('E1')];
    const leaving = planned('p1', [gone('E1')], links);
    const back = planned('p2', [kept('E1')], links, { plan: leaving, status: 'running' });
    expect(back.withdrawn).toBeUndefined();
    expect(back.changes.map((c) => c.action)).toEqual(['create', 'grant']);
    expect(back.changes.every((c) => c.reasons.includes(SUPERSEDED))).toBe(true);
  });

  it('a waiting disable of someone who stays enabled is withdrawn; the link is enabled, so nothing else is planned', () => {
    const links = [link('E2', { enabled: true, disabledAt: undefined })];
    const leaving = planned('p1', [want('E2', { enabled: false, entitlements: ['staff'], reasons: ['leaver.terminated'] })], links);
    expect(leaving.summary).toEqual({ disable: 1 });
    const back = planned('p2', [kept('E2')], links, { plan: leaving, status: 'pending' });
    expect(back.withdrawn?.map((w) => [w.jobId, w.change.action])).toEqual([['p1:app:E2:disable', 'disable']]);
    expect(back.changes).toEqual([]);
  });

  it('a leaver past grace in one pass (revokes, disable, delete waiting): disable and delete withdrawn, the revoked groups granted again', () => {
    const links = [link('E3', { enabled: true, disabledAt: undefined })];
    const leaving = planned('p1', [gone('E3')], links);
    const all = planned('p1', [want('E3', { enabled: false, entitlements: [], reasons: ['leaver.terminated'] })], links);
    const queued: Plan = { ...all, changes: [...all.changes, ...leaving.changes] };
    expect(queued.changes.map((c) => c.action)).toEqual(['revoke', 'disable', 'delete']);
    const back = planned('p2', [kept('E3')], links, { plan: queued, status: 'pending' });
    expect(back.withdrawn?.map((w) => w.change.action)).toEqual(['disable', 'delete']);
    // The revoke still runs (not withdrawn): its group is granted back after it, as a superseded change.
    expect(back.changes.map((c) => [c.action, c.reasons.includes(SUPERSEDED)])).toEqual([['grant', true]]);
  });

  it('nothing is withdrawn when the person should have no account, should be disabled, or policy could not decide', () => {
    const links = [link('E4', { enabled: true, disabledAt: undefined })];
    const leaving = planned('p1', [want('E4', { enabled: false, entitlements: ['staff'], reasons: ['leave.start'] })], links);
    const onLeave = planned('p2', [want('E4', { enabled: false, entitlements: ['staff'], reasons: ['leave.start'] })], links, { plan: leaving, status: 'pending' });
    expect(onLeave.withdrawn).toBeUndefined();
    const undecided = planned('p3', [kept('E4', { undecided: true })], links, { plan: leaving, status: 'pending' });
    expect(undecided.withdrawn).toBeUndefined();
    const deleting = planned('p4', [gone('E4')], links);
    const stillGone = planned('p5', [gone('E4')], links, { plan: deleting, status: 'pending' });
    expect(stillGone.withdrawn).toBeUndefined();
    expect(stillGone.changes).toEqual([]);
  });
});
