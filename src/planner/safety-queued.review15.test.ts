import { describe, expect, it } from 'vitest';
import type { DesiredAccount, LinkedAccount, Plan } from '../core/types.js';
import { link, NOW, testTarget } from '../policy/test-config.js';
import { key, want } from './plan-fixtures.js';
import { plan } from './plan.js';
import { QueuedChanges } from './queued.js';
import { CREATE_NOT_RUN, madeByWaitingCreate, SUPERSEDED } from './superseded.js';

/**
 * Review 15: compensating changes (queued.superseded) that undo what an
 * earlier plan's queued create would make — an account no target holds yet —
 * took nothing from anyone but counted toward the safety limits: joiners
 * terminated during a long quarantine held every plan on maxDeletes. A
 * compensating change to an account the target holds still counts.
 */
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `e${from + i}`);
const joiner = (id: string): DesiredAccount => want(id, { entitlements: ['staff'], reasons: ['joiner'] });
const terminated = (id: string): DesiredAccount => want(id, { present: false, enabled: false, attributes: {}, reasons: ['leaver.terminated'] });
const linked = (id: string, overrides: Partial<LinkedAccount> = {}) => link(id, { attributes: { username: id, email: `${id}@example.com` }, ...overrides });

function planned(id: string, desired: readonly DesiredAccount[], links: readonly LinkedAccount[], ...queued: Plan[]): Plan {
  return plan({
    id, now: NOW, basis: 1, desired, targets: [testTarget()], totals: new Map([['app', 100]]),
    linked: new Map(links.map((l) => [key(l.target, l.identityId), l])),
    ...(queued.length === 0 ? {} : { queued: new QueuedChanges(queued.flatMap((q) => q.changes.map((change) => ({ planId: q.id, change })))) }),
  });
}

describe('safety limits and compensating changes of queued creates (review 15)', () => {
  it('deletes that undo creates still queued are not counted, and the plan says so', () => {
    const creates = planned('p1', ids(20).map(joiner), []);
    expect(creates.summary).toEqual({ create: 20, grant: 20 });
    const gone = planned('p2', ids(20).map(terminated), [], creates);
    expect(gone.summary).toEqual({ delete: 20 });
    expect(gone.changes.every((c) => c.reasons.includes(SUPERSEDED) && c.reasons.includes(CREATE_NOT_RUN))).toBe(true);
    // 20 deletes of 100 accounts, limit 5%: nothing that exists is deleted, so nothing is held.
    expect(gone.held).toBe(false);
    expect(gone.diagnostics).toEqual([{
      severity: 'info', code: 'safety.not_counted', target: 'app',
      message: `app: 20 deletes undo creates earlier plans still have queued (the accounts do not exist yet): not counted against the safety limits (${CREATE_NOT_RUN})`,
    }]);
  });

  it('a held plan counts the deletes of existing accounts and names the ones it left out', () => {
    const creates = planned('p1', ids(20).map(joiner), []);
    const existing = ids(6, 20).map((id) => linked(id));
    const gone = planned('p2', [...ids(20), ...ids(6, 20)].map(terminated), existing, creates);
    expect(gone.summary).toEqual({ delete: 26 });
    expect(gone.holds).toEqual([{
      target: 'app', code: 'safety.max_deletes', count: 6, limit: 5,
      message: 'would delete 6 of 100 accounts in app (6%); the limit is 5% (not counted: 20 more deletes of accounts that earlier plans\' '
        + `queued creates make and that do not exist yet, ${CREATE_NOT_RUN})`,
    }]);
  });

  it('a compensating disable of an account the target holds still counts', () => {
    // Leavers whose enable (a rehire) still waits, terminated again: the disable undoes a queued enable of an existing account.
    const links = ids(20).map((id) => linked(id, { enabled: false, disabledAt: NOW.toISOString() }));
    const back = planned('p1', ids(20).map((id) => want(id, { reasons: ['rehire'] })), links);
    expect(back.summary).toEqual({ enable: 20 });
    const again = planned('p2', ids(20).map((id) => want(id, { enabled: false, reasons: ['leaver.terminated', 'leaver.revoke_all'] })), links, back);
    expect(again.summary).toEqual({ disable: 20 });
    expect(again.changes.some((c) => c.reasons.includes(CREATE_NOT_RUN))).toBe(false);
    expect(again.holds.map((h) => [h.code, h.count])).toEqual([['safety.max_disables', 20]]);
    expect(again.diagnostics).toEqual([]);
  });

  it('revokes that undo a queued create\'s grants, and a queued create over a link, are judged by whether the account exists', () => {
    const creates = planned('p1', ids(20).map(joiner), []);
    const moved = planned('p2', ids(20).map((id) => want(id, { reasons: ['active'] })), [], creates);
    expect(moved.summary).toEqual({ revoke: 20 });
    expect(moved.held).toBe(false);
    expect(moved.diagnostics.filter((d) => d.code === 'safety.not_counted').map((d) => d.message)).toEqual([expect.stringContaining('app: 20 revokes undo creates')]);
    // What the waiting changes leave, in order: a delete of the linked account then a create makes a new one; a create over a link does not.
    const waitingCreate = creates.changes[0]!;
    const waitingDelete = { ...waitingCreate, action: 'delete' as const };
    expect(madeByWaitingCreate(undefined, [waitingCreate])).toBe(true);
    expect(madeByWaitingCreate(linked('e0'), [waitingCreate])).toBe(false);
    expect(madeByWaitingCreate(linked('e0'), [waitingDelete, waitingCreate])).toBe(true);
    expect(madeByWaitingCreate(undefined, [waitingCreate, waitingDelete])).toBe(false);
  });
});
