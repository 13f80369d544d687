import { describe, expect, it } from 'vitest';
import type { Change } from '../core/types.js';
import { NOW, testSafety, testTarget } from '../policy/test-config.js';
import { key, want } from './plan-fixtures.js';
import { plan } from './plan.js';
import { ALREADY_QUEUED, effectOf, QueuedChanges, withoutQueued, type WaitingChange } from './queued.js';
import type { LinkedAccount } from '../core/types.js';

const link = (identityId: string, overrides: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId, accountId: identityId, attributes: { username: identityId, email: `${identityId}@example.com` },
  entitlements: [], enabled: true, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...overrides,
});

const update = (who: string, attributes: Record<string, unknown>, reasons: readonly string[] = ['mapping.changed']): Change => ({
  id: `app:${who}:update`, identity: who, target: 'app', action: 'update',
  before: { accountId: who, attributes: Object.fromEntries(Object.keys(attributes).map((n) => [n, 'old'])) }, after: { accountId: who, attributes }, reasons,
});
const grant = (who: string, entitlement: string): Change => ({
  id: `app:${who}:grant:${entitlement}`, identity: who, target: 'app', action: 'grant', before: null, after: { accountId: who, entitlement }, reasons: ['role.added'],
});
const revoke = (who: string, entitlement: string): Change => ({
  id: `app:${who}:revoke:${entitlement}`, identity: who, target: 'app', action: 'revoke', before: { accountId: who, entitlement }, after: null, reasons: ['role.removed'],
});
const waiting = (planId: string, ...changes: Change[]): WaitingChange[] => changes.map((change) => ({ planId, change }));

describe('changes already queued (planner/queued.ts)', () => {
  it('are equal by effect: not by id, reasons, before or sealed values; the scope mark and values count', () => {
    const base = update('E1', { email: 'a@x', title: 'A' });
    expect(effectOf({ ...base, id: 'other', reasons: ['other'], before: null })).toBe(effectOf(base));
    expect(effectOf({ ...base, after: { accountId: 'E1', attributes: { title: 'A', email: 'a@x' }, sealed: { pw: 'v1:xyz' } } })).toBe(effectOf(base));
    expect(effectOf(update('E1', { email: 'a@x', title: 'B' }))).not.toBe(effectOf(base));
    expect(effectOf({ ...base, reasons: ['scope.removed'] })).not.toBe(effectOf(base));
    expect(effectOf({ ...base, after: { accountId: 'other', attributes: base.after!.attributes! } })).not.toBe(effectOf(base));
    expect(effectOf(grant('E1', 'CN=Eng, OU=G'))).toBe(effectOf(grant('E1', 'cn=eng,ou=g')));
    expect(effectOf(grant('E1', 'eng'))).not.toBe(effectOf(revoke('E1', 'eng')));
    expect(effectOf(grant('E1', 'eng'))).not.toBe(effectOf(grant('E1', 'ops')));
  });

  it('leave the plan with a note per target naming the plans; the rest stays, in order', () => {
    const queued = new QueuedChanges([...waiting('p0', update('E1', { title: 'A' }), grant('E2', 'eng')), ...waiting('p9', revoke('E3', 'ops'))], new Set(['app']));
    const planned = [update('E1', { title: 'A' }), grant('E1', 'eng'), grant('E2', 'eng'), grant('E2', 'ops'), revoke('E3', 'ops'), update('E4', { title: 'A' })];
    const { changes, diagnostics } = withoutQueued(planned, queued);
    expect(changes).toEqual([grant('E1', 'eng'), grant('E2', 'ops'), update('E4', { title: 'A' })]);
    expect(diagnostics).toEqual([{
      severity: 'info', code: ALREADY_QUEUED, target: 'app',
      message: '3 changes already queued by plans p0, p9, not finished yet (target app quarantined: they run once it is released): left out of this plan',
    }]);
  });

  it('do not count when a later queued change of the same thing says otherwise (A, then B, now A again)', () => {
    const queued = new QueuedChanges(waiting('p1', update('E1', { title: 'A' }), grant('E1', 'eng'), update('E1', { title: 'B' }), revoke('E1', 'eng')));
    expect(queued.queuedBy(update('E1', { title: 'A' }))).toBeUndefined();
    expect(queued.queuedBy(update('E1', { title: 'B' }))).toBe('p1');
    expect(queued.queuedBy(grant('E1', 'eng'))).toBeUndefined();
    expect(queued.queuedBy(revoke('E1', 'eng'))).toBe('p1');
    expect(queued.queuedBy(update('E2', { title: 'B' }))).toBeUndefined();
    expect(queued.queuedBy({ ...update('E1', { title: 'B' }), target: 'ldap' })).toBeUndefined();
  });

  it('are left out by plan(), before its summary and safety limits are counted', () => {
    const links = [link('E1'), link('E2'), link('E3')];
    const input = {
      id: 'p2', now: NOW, basis: 1, targets: [testTarget({ safety: testSafety({ maxDisables: { count: 1 } }) })], totals: new Map([['app', 100]]),
      linked: new Map(links.map((l) => [key(l.target, l.identityId), l])),
      desired: ['E1', 'E2', 'E3'].map((id) => want(id, { enabled: false, attributes: link(id).attributes })),
    };
    const whole = plan(input);
    expect(whole.summary).toEqual({ disable: 3 });
    expect(whole.held).toBe(true);
    const queued = new QueuedChanges(waiting('p1', ...whole.changes.slice(0, 2)));
    const rest = plan({ ...input, queued });
    expect(rest.changes).toEqual([whole.changes[2]]);
    expect(rest.summary).toEqual({ disable: 1 });
    expect(rest.held).toBe(false);
    expect(rest.diagnostics.map((d) => d.code)).toEqual([ALREADY_QUEUED]);
    // Nothing queued: the plan as before.
    expect(plan({ ...input, queued: new QueuedChanges([]) })).toEqual(whole);
  });
});
