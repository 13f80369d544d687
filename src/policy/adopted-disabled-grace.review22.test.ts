import { describe, expect, it } from 'vitest';
import { desiredOne } from './policy-fixtures.js';
import { identity, link } from './test-config.js';

/**
 * Review 22: a leaver whose account reconcile linked already disabled (no
 * disable of Roster's recorded, LinkedAccount.disabledAt absent) was never
 * deleted: the grace had no start, and no disable would ever come to give it
 * one (the account is disabled already, so the plan has none to make). Its
 * grace runs from the later of the end date and the link's creation.
 */
const leaver = identity('e1', { state: 'terminated', endAt: '2026-01-31T23:59:59.999Z', updatedAt: '2026-01-20T00:00:00.000Z' });
const adopted = (createdAt: string) => link('e1', { enabled: false, createdAt, updatedAt: createdAt });
const at = (iso: string) => ({ now: new Date(iso) });

describe('review 22: an account linked already disabled is deleted after the grace', () => {
  it('linked before the end: 30 days from the end', () => {
    const account = adopted('2026-01-10T00:00:00.000Z');
    expect(desiredOne(leaver, { links: [account], ...at('2026-03-02T00:00:00.000Z') })).toMatchObject({ present: true, enabled: false });
    expect(desiredOne(leaver, { links: [account], ...at('2026-03-03T00:00:00.000Z') })).toMatchObject({ present: false });
  });

  it('linked after the end (Roster brought in later): 30 days from the link, never at once', () => {
    const account = adopted('2026-06-01T10:00:00.000Z');
    expect(desiredOne(leaver, { links: [account], ...at('2026-06-01T10:00:01.000Z') })).toMatchObject({ present: true, enabled: false });
    expect(desiredOne(leaver, { links: [account], ...at('2026-07-01T09:59:00.000Z') })).toMatchObject({ present: true });
    expect(desiredOne(leaver, { links: [account], ...at('2026-07-01T10:00:00.000Z') })).toMatchObject({ present: false, reasons: expect.arrayContaining(['leaver.grace_expired']) });
  });
});
