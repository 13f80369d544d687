import { describe, expect, it } from 'vitest';
import type { DesiredAccount, LinkedAccount, Plan } from '../core/types.js';
import { NOW, testTarget } from '../policy/test-config.js';
import { applyPlan, key, want } from './plan-fixtures.js';
import { plan } from './plan.js';
import { QueuedChanges } from './queued.js';

/**
 * Review 14 (crash into OpenLDAP): a sync killed part way leaves its jobs in
 * the queue (leased); the next sync plans against the links before they run,
 * and they run first. A mover moved again in between kept the first move's
 * groups (queued grant of engineering; the link never had it and HR now says
 * Sales, so nothing revoked it) until a later sync: the plan must undo what
 * the waiting changes do that it no longer wants.
 */
const link = (identityId: string, overrides: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId, accountId: `uuid-${identityId}`, attributes: { username: identityId, department: 'A' },
  entitlements: ['all', 'a'], enabled: true, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...overrides,
});
const desired = (department: string, entitlements: string[], overrides: Partial<DesiredAccount> = {}): DesiredAccount =>
  want('E1', { attributes: { username: 'E1', department }, entitlements, ...overrides });

function planned(id: string, wanted: DesiredAccount, links: readonly LinkedAccount[], queued?: Plan): Plan {
  return plan({
    id, now: NOW, basis: 1, desired: [wanted], targets: [testTarget()], totals: new Map([['app', 100]]),
    linked: new Map(links.map((l) => [key(l.target, l.identityId), l])),
    ...(queued === undefined ? {} : { queued: new QueuedChanges(queued.changes.map((change) => ({ planId: queued.id, change }))) }),
  });
}

/** The link once the queued plan, then the new one, ran. */
function after(links: readonly LinkedAccount[], queued: Plan, next: Plan): LinkedAccount | undefined {
  const final = applyPlan(applyPlan(links, queued), next)[0];
  return final === undefined ? undefined : { ...final, entitlements: [...final.entitlements].sort() };
}

describe('a plan made while an earlier plan\'s changes still wait in the queue (review 14)', () => {
  it('a mover moved again: the first move\'s groups are revoked, its department replaced', () => {
    const links = [link('E1')];
    const first = planned('p1', desired('B', ['all', 'b']), links);
    const second = planned('p2', desired('C', ['all', 'c']), links, first);
    expect(second.changes.filter((c) => c.action === 'revoke').map((c) => c.before?.entitlement).sort()).toEqual(['b']);
    expect(after(links, first, second)).toMatchObject({ attributes: { department: 'C' }, entitlements: ['all', 'c'], enabled: true });
  });

  it('moved back before the move ran: the department and groups the link already has are written again', () => {
    const links = [link('E1')];
    const first = planned('p1', desired('B', ['all', 'b']), links);
    const back = planned('p2', desired('A', ['all', 'a']), links, first);
    expect(back.changes.map((c) => c.id).sort()).toEqual(['app:E1:grant:a', 'app:E1:revoke:b', 'app:E1:update']);
    expect(after(links, first, back)).toMatchObject({ attributes: { department: 'A' }, entitlements: ['a', 'all'] });
  });

  it('a leaver rehired before the disable and revokes ran: enabled again, with the groups', () => {
    const links = [link('E1')];
    const leaving = planned('p1', desired('A', [], { enabled: false, reasons: ['leaver.terminated', 'leaver.revoke_all'] }), links);
    expect(leaving.summary).toEqual({ revoke: 2, disable: 1 });
    const back = planned('p2', desired('A', ['all', 'a']), links, leaving);
    expect(after(links, leaving, back)).toMatchObject({ enabled: true, entitlements: ['a', 'all'] });
  });

  it('a joiner whose create waits, moved: the create\'s groups not wanted are revoked, through the link the create writes', () => {
    const first = planned('p1', desired('A', ['all', 'a'], { attributes: { username: 'ada', department: 'A' } }), []);
    const second = planned('p2', desired('B', ['all', 'b'], { attributes: { username: 'adx', department: 'B' } }), [], first);
    const revoke = second.changes.find((c) => c.action === 'revoke');
    expect(revoke?.before).toEqual({ entitlement: 'a' });
    expect(second.changes.map((c) => c.action)).toEqual(['create', 'grant', 'grant', 'revoke']);
  });

  it('nothing waiting that the plan contradicts: the plan is as before', () => {
    const links = [link('E1')];
    const first = planned('p1', desired('B', ['all', 'b']), links);
    const same = planned('p2', desired('B', ['all', 'b']), links, first);
    expect(same.changes).toEqual([]);
    const without = planned('p3', desired('C', ['all', 'c']), links);
    const withOther = plan({
      id: 'p3', now: NOW, basis: 1, desired: [desired('C', ['all', 'c'])], targets: [testTarget()], totals: new Map([['app', 100]]),
      linked: new Map(links.map((l) => [key(l.target, l.identityId), l])),
      queued: new QueuedChanges(first.changes.map((change) => ({ planId: 'p1', change: { ...change, identity: 'E2' } }))),
    });
    expect(withOther.changes).toEqual(without.changes);
  });
});
