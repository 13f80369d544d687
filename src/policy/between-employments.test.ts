import { describe, expect, it } from 'vitest';
import { desiredOne } from './policy-fixtures.js';
import { identity, link } from './test-config.js';

/**
 * A contractor whose contract ends 31 March, an employee again from 15 June
 * (entered ahead: lifecycle/merge.ts stores the end before the next start).
 * In the gap the account is a leaver's (disabled, stripped), but it is not
 * deleted when the 30-day grace runs out: the person is awaited back, and a
 * delete would have the first day create another account. From the prehire
 * lead it is prepared as a future hire's, and it is enabled on the start.
 */
describe('policy: between two employments', () => {
  const between = identity('c1', { state: 'active', endAt: '2027-04-01T00:00:00.000Z', startAt: '2027-06-15T00:00:00.000Z' });
  const disabled = link('c1', { enabled: false, disabledAt: '2027-04-01T00:00:00.000Z', createdAt: '2026-01-05T00:00:00.000Z', entitlements: [] });
  const at = (iso: string) => new Date(iso);

  it('keeps the account, disabled and stripped, past the delete grace', () => {
    const gap = desiredOne(between, { now: at('2027-05-20T00:00:00.000Z'), links: [disabled] });
    expect(gap).toMatchObject({ present: true, enabled: false, entitlements: [] });
    expect(gap.reasons).toContain('leaver.revoke_all');
    expect(gap.reasons).not.toContain('leaver.grace_expired');
    expect(gap.explanations.map((x) => x.detail).join(' / ')).toContain('back on 2027-06-15');
  });

  it('prepares it from the prehire lead, and enables it on the start as a rehire', () => {
    const lead = desiredOne(between, { now: at('2027-06-09T00:00:00.000Z'), links: [disabled] });
    expect(lead).toMatchObject({ present: true, enabled: false, reasons: ['joiner.prehire'] });
    expect(lead.entitlements.length).toBeGreaterThan(0);
    const back = desiredOne(between, { now: at('2027-06-15T00:00:00.000Z'), links: [disabled] });
    expect(back).toMatchObject({ present: true, enabled: true, reasons: ['rehire'] });
  });

  it('gives no account in the gap to someone who had none', () => {
    expect(desiredOne(between, { now: at('2027-05-20T00:00:00.000Z') })).toMatchObject({ present: false });
  });
});
