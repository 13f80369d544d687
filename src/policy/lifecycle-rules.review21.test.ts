import { describe, expect, it } from 'vitest';
import { desiredOne } from './policy-fixtures.js';
import { identity, link, testConfig, testLifecycle } from './test-config.js';

/**
 * The walk-through of docs/directories.md: E1007 left yesterday, the sync
 * disabled the account this morning, and HR rehired them starting today. The
 * HR start (midnight) comes before the disable's instant, but it is a new
 * employment: the enable must be a rehire's (a new initial password under
 * `passwordOnEnable: rehire`), never a return with the former password.
 */
describe('review 21: a rehire starting the day the account was disabled', () => {
  const now = new Date('2026-11-29T10:00:00.000Z');

  it('is a rehire, though the start is earlier that day than the disable', () => {
    const back = identity('e1', { startAt: '2026-11-29T00:00:00.000Z' });
    const disabled = link('e1', { enabled: false, createdAt: '2024-04-01T08:00:00.000Z', disabledAt: '2026-11-29T00:22:20.000Z' });
    expect(desiredOne(back, { links: [disabled], now })).toMatchObject({ enabled: true, reasons: ['rehire'] });
  });

  it('a start the day before the disable is no new employment (a return keeps its password)', () => {
    const back = identity('e1', { startAt: '2026-11-28T00:00:00.000Z' });
    const disabled = link('e1', { enabled: false, createdAt: '2024-04-01T08:00:00.000Z', disabledAt: '2026-11-29T00:22:20.000Z' });
    expect(desiredOne(back, { links: [disabled], now })).toMatchObject({ enabled: true, reasons: ['active'] });
  });

  it('a termination undone (the old start) stays a return', () => {
    const back = identity('e1', { startAt: '2024-04-01T00:00:00.000Z' });
    const disabled = link('e1', { enabled: false, createdAt: '2024-04-01T08:00:00.000Z', disabledAt: '2026-11-29T00:22:20.000Z' });
    expect(desiredOne(back, { links: [disabled], now })).toMatchObject({ enabled: true, reasons: ['active'] });
  });

  it('the day is the lifecycle time zone\'s', () => {
    const la = testConfig({ lifecycle: testLifecycle({ timezone: 'America/Los_Angeles' }) });
    // Disabled at 21:00 on 28 November in Los Angeles (05:00Z on the 29th); back from the 28th there (08:00Z):
    // the same day in Los Angeles, the day before in UTC.
    const disabled = link('e1', { enabled: false, createdAt: '2024-04-01T08:00:00.000Z', disabledAt: '2026-11-29T05:00:00.000Z' });
    const back = identity('e1', { startAt: '2026-11-28T08:00:00.000Z' });
    const later = new Date('2026-11-29T18:00:00.000Z');
    expect(desiredOne(back, { links: [disabled], now: later }, la).reasons).toEqual(['rehire']);
    expect(desiredOne(back, { links: [disabled], now: later }).reasons).toEqual(['active']);
  });
});

/**
 * `roster explain E1031` in the examples: a leaver of 2025 who never had an
 * account in the target read "the 30-day grace period is over: account
 * deleted", as if Roster had deleted one.
 */
describe('review 21: explain for a leaver who never had an account', () => {
  const gone = identity('e1', { state: 'terminated', endAt: '2025-07-01T00:00:00.000Z' });
  const detail = (links: ReturnType<typeof link>[]): string | undefined =>
    desiredOne(gone, { links, now: new Date('2026-11-29T00:00:00.000Z') }).explanations.find((x) => x.subject === 'account')?.detail;

  it('says no account is created', () => {
    expect(detail([])).toBe('left 2025-06-30; the 30-day grace period is over: no account is created');
  });

  it('still says deleted when there is an account', () => {
    expect(detail([link('e1', { enabled: false, disabledAt: '2025-07-01T00:00:00.000Z' })])).toBe('left 2025-06-30; the 30-day grace period is over: account deleted');
  });
});

