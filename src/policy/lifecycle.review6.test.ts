import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../core/types.js';
import { planOf } from '../planner/plan-fixtures.js';
import { compilePolicy, UniqueIndex } from './index.js';
import { desiredOne } from './policy-fixtures.js';
import { identity, link, NOW, person, testConfig, testTarget } from './test-config.js';

const at = (iso: string): Date => new Date(iso);

describe('review 6: an expression that fails never keeps access the lifecycle takes away', () => {
  // HR records carry no `division` column: the scope fails for everyone.
  const divisionScope = testConfig({ targets: [testTarget({ scope: 'identity.division == "Corp"' })] });

  it('a leaver whose record lacks the attribute the scope reads is still disabled and loses every entitlement', () => {
    const diagnostics: Diagnostic[] = [];
    const gone = identity('e1', { state: 'terminated', endAt: '2026-03-09T00:00:00.000Z' });
    const linked = link('e1', { attributes: { username: 'jane.doe' }, entitlements: ['engineers', 'users'] });
    const d = desiredOne(gone, { links: [linked], diagnostics }, divisionScope);
    expect(d).toMatchObject({ present: true, enabled: false, entitlements: [], attributes: linked.attributes });
    expect(d.reasons).toContain('expression.failed');
    expect(d.reasons).toContain('leaver.revoke_all');
    expect(diagnostics.map((x) => x.code)).toEqual(['expression.failed']);
    const p = planOf([d], [linked]);
    expect(p.changes.map((c) => c.action)).toEqual(['revoke', 'revoke', 'disable']);
  });

  it('someone on leave whose mapping fails is still suspended', () => {
    const config = testConfig({ targets: [testTarget({ attributes: { username: 'identity.employeeId', phone: 'identity.phone' } })] });
    const away = identity('e1', { state: 'leave' });
    const linked = link('e1', { attributes: { username: 'e1', phone: '1' }, entitlements: ['users'] });
    const d = desiredOne(away, { links: [linked] }, config);
    expect(d).toMatchObject({ present: true, enabled: false, entitlements: [], attributes: linked.attributes });
    expect(d.reasons).toEqual(['expression.failed', 'leave.suspended', 'leaver.revoke_all']);
  });

  it('an active person whose expression fails is still left exactly as linked (deliberate)', () => {
    const config = testConfig({ targets: [testTarget({ attributes: { username: 'identity.employeeId', phone: 'identity.phone' } })] });
    const linked = link('e1', { attributes: { username: 'e1', phone: '1' }, entitlements: ['old'] });
    expect(desiredOne(identity('e1'), { links: [linked] }, config)).toMatchObject({
      present: true, enabled: true, entitlements: ['old'], reasons: ['expression.failed'],
    });
  });
});

describe('review 6: scope removal never deletes an enabled account at once', () => {
  const employeesOnly = testConfig({ targets: [testTarget({ scope: 'identity.employmentType == "employee"' })] });
  const contractor = identity('c1', { attributes: person('c1', { employmentType: 'contractor' }) });

  it('an enabled link still carrying an old disabledAt (re-enabled by hand, refreshed by reconcile) is disabled first', () => {
    const stale = link('c1', { enabled: true, disabledAt: '2025-06-01T00:00:00.000Z', entitlements: ['users'] });
    expect(desiredOne(contractor, { links: [stale] }, employeesOnly)).toMatchObject({
      present: true, enabled: false, entitlements: [], reasons: ['scope.removed', 'leaver.revoke_all'],
    });
  });

  it('delete: immediately still deletes at once', () => {
    const now = testConfig({ targets: [testTarget({ scope: 'identity.employmentType == "employee"', leaver: { disable: 'immediately', deleteAfterMs: 0 } })] });
    expect(desiredOne(contractor, { links: [link('c1')] }, now)).toMatchObject({ present: false, reasons: ['leaver.grace_expired', 'scope.removed'] });
  });
});

describe('review 6: reason codes of a prehired joiner and of a rescinded offer', () => {
  const hire = identity('e1', { state: 'prehire', startAt: '2026-03-20T00:00:00.000Z' });
  // What the executor links after creating the prehire account disabled on 2026-03-13 (createdAt = disabledAt).
  const prepared = link('e1', { enabled: false, createdAt: '2026-03-13T00:00:00.000Z', updatedAt: '2026-03-13T00:00:00.000Z', disabledAt: '2026-03-13T00:00:00.000Z' });

  it('the account prepared before day one is enabled on day one as a joiner, not a rehire', () => {
    expect(desiredOne(hire, { links: [prepared], now: at('2026-03-20T00:00:00.000Z') })).toMatchObject({ enabled: true, reasons: ['joiner'] });
  });

  it('an account disabled at an earlier termination is still a rehire', () => {
    const old = link('e1', { enabled: false, createdAt: '2020-01-01T00:00:00.000Z', disabledAt: '2025-06-01T00:00:00.000Z' });
    expect(desiredOne(hire, { links: [old], now: at('2026-03-20T00:00:00.000Z') })).toMatchObject({ enabled: true, reasons: ['rehire'] });
    // A former employee's disabled account linked by reconcile long before the new hire.
    const reconciled = link('e1', { enabled: false, createdAt: '2025-09-01T00:00:00.000Z', disabledAt: '2025-09-01T00:00:00.000Z' });
    expect(desiredOne(hire, { links: [reconciled], now: at('2026-03-20T00:00:00.000Z') })).toMatchObject({ reasons: ['rehire'] });
  });

  it('an offer rescinded after the person started: the account in use gets the leaver treatment, not an instant delete', () => {
    const started = identity('e1', { state: 'rescinded', startAt: '2026-03-01T00:00:00.000Z' });
    const inUse = link('e1', { enabled: true, createdAt: '2026-02-22T00:00:00.000Z', entitlements: ['users'] });
    expect(desiredOne(started, { links: [inUse] })).toMatchObject({
      present: true, enabled: false, entitlements: [], reasons: ['joiner.rescinded', 'leaver.revoke_all'],
    });
  });

  it('a rescinded rehire keeps the old account as the leaver rule says (delete: never)', () => {
    const keep = testConfig({ targets: [testTarget({ leaver: { disable: 'immediately', deleteAfterMs: null } })] });
    const rehire = identity('e1', { state: 'rescinded', startAt: '2026-04-01T00:00:00.000Z' });
    const old = link('e1', { enabled: false, createdAt: '2020-01-01T00:00:00.000Z', disabledAt: '2025-06-01T00:00:00.000Z' });
    expect(desiredOne(rehire, { links: [old] }, keep)).toMatchObject({ present: true, enabled: false, reasons: ['joiner.rescinded', 'leaver.revoke_all'] });
  });

  it('the prehire account of a withdrawn offer is still removed at once', () => {
    const withdrawn = identity('e1', { state: 'rescinded', startAt: '2026-03-20T00:00:00.000Z' });
    expect(desiredOne(withdrawn, { links: [prepared], now: at('2026-03-15T00:00:00.000Z') })).toMatchObject({ present: false, reasons: ['joiner.rescinded'] });
  });
});

describe('review 6: the prehire lead time counts calendar days in the lifecycle time zone', () => {
  const berlin = testConfig({ lifecycle: { ...testConfig().lifecycle, timezone: 'Europe/Berlin' } });
  // Starts at midnight on 1 April in Berlin (summer time since 29 March): 7 days ahead is midnight on 25 March (winter time).
  const hire = identity('e1', { state: 'prehire', startAt: '2026-03-31T22:00:00.000Z' });

  it('across the switch to summer time the account is not prepared an hour early, and the explanation names the right day', () => {
    const early = desiredOne(hire, { now: at('2026-03-24T22:30:00.000Z') }, berlin); // 23:30 on 24 March in Berlin
    expect(early.present).toBe(false);
    expect(early.explanations.find((x) => x.subject === 'account')?.detail).toContain('from 2026-03-25');
    expect(desiredOne(hire, { now: at('2026-03-24T23:00:00.000Z') }, berlin).present).toBe(true); // midnight on 25 March
  });

  it('UTC is plain arithmetic, as before', () => {
    const utc = identity('e1', { state: 'prehire', startAt: '2026-04-01T00:00:00.000Z' });
    expect(desiredOne(utc, { now: at('2026-03-24T23:59:59.999Z') }).present).toBe(false);
    expect(desiredOne(utc, { now: at('2026-03-25T00:00:00.000Z') }).present).toBe(true);
  });
});

describe('review 6: roster explain agrees with the plan when a role that changes nothing fails', () => {
  it('an entitlement a holding role grants is granted whether or not explanations are built', () => {
    const config = testConfig({
      roles: [
        { id: 'everyone', when: 'true', grants: { app: ['users'] } },
        { id: 'division', when: 'identity.division == "Corp"', grants: { app: ['users'] } },
      ],
    });
    const policy = compilePolicy(config);
    const run = (explain: boolean, diagnostics: Diagnostic[]) => policy.desired(identity('e1'), {
      now: NOW, linked: new Map(), unique: UniqueIndex.fromAccounts([], config), diagnostics, explain,
    })[0];
    const planned: Diagnostic[] = [];
    const explained: Diagnostic[] = [];
    const plan = run(false, planned);
    const explain = run(true, explained);
    expect(plan).toMatchObject({ present: true, entitlements: ['users'], reasons: ['joiner'] });
    expect(explain).toMatchObject({ present: plan?.present, entitlements: plan?.entitlements, reasons: plan?.reasons, attributes: plan?.attributes });
    expect(explained.map((d) => d.code)).toEqual(planned.map((d) => d.code));
    expect(explain?.explanations.filter((x) => x.subject === 'entitlement:users').map((x) => x.rule)).toEqual(['role:everyone']);
  });
});
