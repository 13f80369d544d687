import { describe, expect, it } from 'vitest';
import { desiredOne } from './policy-fixtures.js';
import { identity, link, person, testConfig, testTarget } from './test-config.js';

const DAY = 86_400_000;
const at = (iso: string): Date => new Date(iso);

describe('policy: lifecycle', () => {
  const hire = identity('e1', { state: 'prehire', startAt: '2026-03-20T00:00:00.000Z' });

  it('a future hire outside the lead time gets no account yet', () => {
    const d = desiredOne(hire, { now: at('2026-03-10T00:00:00.000Z') });
    expect(d).toMatchObject({ present: false, reasons: ['joiner.prehire'] });
    expect(d.explanations.find((x) => x.subject === 'account')?.detail).toContain('from 2026-03-13');
  });

  it('a future hire inside the lead time gets a disabled account with entitlements ready', () => {
    const d = desiredOne(hire, { now: at('2026-03-13T00:00:00.000Z') });
    expect(d).toMatchObject({ present: true, enabled: false, reasons: ['joiner.prehire'], entitlements: ['engineers', 'git', 'users'] });
    expect(d.attributes).toMatchObject({ username: 'jane.doe', email: 'e1@example.com' });
  });

  it('a hire whose start has come is enabled', () => {
    const d = desiredOne(hire, { now: at('2026-03-20T00:00:00.000Z'), links: [link('e1', { enabled: false })] });
    expect(d).toMatchObject({ present: true, enabled: true, reasons: ['joiner'] });
  });

  it('a rehire is named so when the account was disabled before the new start', () => {
    const back = identity('e1', { startAt: '2026-03-01T00:00:00.000Z' });
    const d = desiredOne(back, { links: [link('e1', { enabled: false, disabledAt: '2025-12-31T00:00:00.000Z' })] });
    expect(d).toMatchObject({ enabled: true, reasons: ['rehire'] });
  });

  it('leave suspends the account and revokes everything; onLeave keep keeps it', () => {
    const away = identity('e1', { state: 'leave' });
    expect(desiredOne(away, { links: [link('e1')] })).toMatchObject({
      present: true, enabled: false, entitlements: [], reasons: ['leave.suspended', 'leaver.revoke_all'],
    });
    const keep = testConfig({ targets: [testTarget({ onLeave: 'keep' })] });
    expect(desiredOne(away, { links: [link('e1')] }, keep)).toMatchObject({ enabled: true, reasons: ['leave.kept'], entitlements: ['engineers', 'git', 'users'] });
  });

  it('a leaver is disabled at once with no entitlements, and the account is frozen', () => {
    const gone = identity('e1', { state: 'terminated', endAt: '2026-03-09T00:00:00.000Z', attributes: person('e1', { familyName: 'Smith' }) });
    const linked = link('e1', { attributes: { username: 'jane.doe', email: 'old@example.com' }, entitlements: ['users'] });
    const d = desiredOne(gone, { links: [linked] });
    expect(d).toMatchObject({ present: true, enabled: false, entitlements: [], reasons: ['leaver.terminated', 'leaver.revoke_all'] });
    expect(d.attributes).toEqual(linked.attributes);
  });

  it('a contractor whose contract ended says leaver.contract_end', () => {
    const gone = identity('c1', { state: 'terminated', endAt: '2026-03-01T00:00:00.000Z', attributes: person('c1', { employmentType: 'contractor' }) });
    expect(desiredOne(gone, { links: [link('c1')] }).reasons).toEqual(['leaver.contract_end', 'leaver.revoke_all']);
  });

  it('a leaver account is deleted once the grace period is over', () => {
    const gone = identity('e1', { state: 'terminated', endAt: '2026-02-01T00:00:00.000Z' });
    const disabled = link('e1', { enabled: false, disabledAt: '2026-02-01T00:00:00.000Z' });
    const before = desiredOne(gone, { links: [disabled], now: new Date(Date.parse('2026-02-01T00:00:00.000Z') + 30 * DAY - 1) });
    expect(before.present).toBe(true);
    const after = desiredOne(gone, { links: [disabled], now: new Date(Date.parse('2026-02-01T00:00:00.000Z') + 30 * DAY) });
    expect(after).toMatchObject({ present: false, reasons: ['leaver.grace_expired', 'leaver.terminated'] });
  });

  it('a termination entered late is disabled first and gets its full grace after the disable', () => {
    const late = identity('e1', { state: 'terminated', endAt: '2026-01-01T00:00:00.000Z' });
    const now = new Date('2026-06-01T00:00:00.000Z');
    expect(desiredOne(late, { links: [link('e1')], now })).toMatchObject({ present: true, enabled: false });
    const disabled = link('e1', { enabled: false, disabledAt: now.toISOString() });
    expect(desiredOne(late, { links: [disabled], now: new Date(now.getTime() + 29 * DAY) }).present).toBe(true);
    expect(desiredOne(late, { links: [disabled], now: new Date(now.getTime() + 30 * DAY) }).present).toBe(false);
  });

  it('a leaver without an account gets none; leaver.disable never keeps it enabled', () => {
    const gone = identity('e1', { state: 'terminated', endAt: '2026-03-09T00:00:00.000Z' });
    expect(desiredOne(gone)).toMatchObject({ present: false, reasons: ['leaver.terminated'] });
    const never = testConfig({ targets: [testTarget({ leaver: { disable: 'never', deleteAfterMs: null } })] });
    expect(desiredOne(gone, { links: [link('e1')] }, never)).toMatchObject({ present: true, enabled: true, entitlements: [] });
  });

  it('a rescinded hire loses a never-used account at once', () => {
    const rescinded = identity('e1', { state: 'rescinded', startAt: '2026-03-20T00:00:00.000Z' });
    expect(desiredOne(rescinded, { links: [link('e1', { enabled: false })] })).toMatchObject({ present: false, reasons: ['joiner.rescinded'] });
  });

  it('uses the effective state: an end date that passed since storing makes a leaver', () => {
    const leaving = identity('e1', { endAt: '2026-03-10T00:00:00.000Z' });
    expect(desiredOne(leaving, { links: [link('e1')] }).enabled).toBe(false);
  });
});

describe('policy: scope', () => {
  const employeesOnly = testConfig({ targets: [testTarget({ scope: 'identity.employmentType == "employee"' })] });
  const contractor = identity('c1', { attributes: person('c1', { employmentType: 'contractor' }) });

  it('out of scope: no account', () => {
    expect(desiredOne(contractor, {}, employeesOnly)).toMatchObject({ present: false, reasons: ['scope.out'] });
    expect(desiredOne(identity('e1'), {}, employeesOnly).present).toBe(true);
  });

  it('an existing account that left scope gets the leaver treatment, then is deleted after the grace', () => {
    expect(desiredOne(contractor, { links: [link('c1', { entitlements: ['users'] })] }, employeesOnly)).toMatchObject({
      present: true, enabled: false, entitlements: [], reasons: ['scope.removed', 'leaver.revoke_all'],
    });
    const disabled = link('c1', { enabled: false, disabledAt: '2026-01-01T00:00:00.000Z', outOfScopeSince: '2026-01-01T00:00:00.000Z' });
    expect(desiredOne(contractor, { links: [disabled] }, employeesOnly)).toMatchObject({
      present: false, reasons: ['leaver.grace_expired', 'scope.removed'],
    });
  });
});

describe('policy: explanations speak in the lifecycle time zone', () => {
  it('shows the start day HR wrote, not the UTC day', () => {
    const berlin = testConfig({ lifecycle: { ...testConfig().lifecycle, timezone: 'Europe/Berlin' } });
    const d = desiredOne(identity('e1', { startAt: '2026-02-28T23:00:00.000Z' }), {}, berlin);
    expect(d.explanations.find((e) => e.subject === 'state')?.detail).toBe('active since 2026-03-01: account enabled');
  });
});
