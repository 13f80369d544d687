import { describe, expect, it } from 'vitest';
import type { DesiredAccount, LinkedAccount, Plan } from '../core/types.js';
import { NOW, testTarget } from '../policy/test-config.js';
import { key, want } from './plan-fixtures.js';
import { plan } from './plan.js';
import { QueuedChanges } from './queued.js';
import { CREATE_NOT_RUN, SUPERSEDED } from './superseded.js';

/**
 * Review 14, second pass: what an earlier plan still has waiting decides
 * whether the account exists when the new plan runs, and which id it has.
 */
const link = (overrides: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId: 'E1', accountId: 'uuid-E1', attributes: { username: 'ada', department: 'A' },
  entitlements: ['a'], enabled: true, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...overrides,
});
const desired = (department: string, entitlements: string[], overrides: Partial<DesiredAccount> = {}): DesiredAccount =>
  want('E1', { attributes: { username: 'ada', department }, entitlements, ...overrides });
const gone = (reason: string): DesiredAccount => desired('A', [], { present: false, enabled: false, attributes: {}, reasons: [reason] });

function planned(id: string, wanted: DesiredAccount, links: readonly LinkedAccount[], ...queued: Plan[]): Plan {
  return plan({
    id, now: NOW, basis: 1, desired: [wanted], targets: [testTarget({ accountKey: 'username' })], totals: new Map([['app', 100]]),
    linked: new Map(links.map((l) => [key(l.target, l.identityId), l])),
    ...(queued.length === 0 ? {} : { queued: new QueuedChanges(queued.flatMap((q) => q.changes.map((change) => ({ planId: q.id, change })))) }),
  });
}
const shown = (p: Plan) => p.changes.map((c) => `${c.action}:${(c.before ?? c.after)?.accountId ?? '-'}:${(c.after ?? c.before)?.entitlement ?? ''}`);

describe('an earlier plan\'s waiting create or delete (review 14)', () => {
  it.each(['leaver.terminated', 'joiner.rescinded', 'scope.removed'])('a create still waiting for someone who should have no account now (%s) is followed by a delete', (reason) => {
    const joiner = planned('p1', desired('A', ['a']), []);
    expect(joiner.summary).toEqual({ create: 1, grant: 1 });
    const leaving = planned('p2', gone(reason), [], joiner);
    // No account id: the executor deletes the account by the link the create writes (its id is not the key everywhere).
    expect(shown(leaving)).toEqual(['delete:-:']);
    // Of an account the waiting create makes: not counted against the safety limits (planner/safety.ts).
    expect(leaving.changes[0]?.reasons).toEqual([reason, SUPERSEDED, CREATE_NOT_RUN]);
  });

  it('a delete still waiting for someone rehired since: a create and its grants, nothing against the account it deletes', () => {
    const links = [link({ enabled: false, entitlements: [] })];
    const expiring = planned('p1', gone('leaver.grace_expired'), links);
    expect(shown(expiring)).toEqual(['delete:uuid-E1:']);
    const back = planned('p2', desired('A', ['a'], { reasons: ['rehire'] }), links, expiring);
    expect(back.changes.map((c) => c.action)).toEqual(['create', 'grant']);
    expect(back.changes.every((c) => c.reasons.includes(SUPERSEDED))).toBe(true);
    // Gone for good as well: nothing more.
    expect(planned('p3', gone('leaver.grace_expired'), links, expiring).changes).toEqual([]);
  });

  it('a create still waiting for an account linked meanwhile (reconcile adopted it): compensating changes name no account id', () => {
    const joiner = planned('p1', desired('A', ['a', 'b'], { enabled: true }), []);
    const adopted = [link({ entitlements: [] })];
    const moved = planned('p2', desired('B', ['a'], { enabled: false, reasons: ['leave.suspended'] }), adopted, joiner);
    const revoke = moved.changes.find((c) => c.action === 'revoke');
    expect(revoke?.before).toEqual({ entitlement: 'b' });
    expect(revoke?.reasons).toContain(SUPERSEDED);
    // The key ('ada') is not the linked account's id: nothing may name it.
    expect(moved.changes.flatMap((c) => [c.before?.accountId, c.after?.accountId]).filter((id) => id === 'ada')).toEqual([]);
  });

  it('the undone change says why: revoke of a waiting grant, enable after a waiting disable, an update back', () => {
    const links = [link()];
    const leaving = planned('p1', desired('B', [], { enabled: false, reasons: ['leaver.terminated', 'leaver.revoke_all'] }), links);
    const back = planned('p2', desired('A', ['a']), links, leaving);
    expect(back.changes.map((c) => [c.action, c.reasons.includes(SUPERSEDED)])).toEqual([['update', true], ['enable', true], ['grant', true]]);
  });
});
