import { describe, expect, it } from 'vitest';
import { desiredOne } from './policy-fixtures.js';
import { identity, link, person, testConfig, testLifecycle } from './test-config.js';

/**
 * What `roster explain` says of a leaver (docs/directories.md: "`explain
 * E1007` says when it is deleted"). An HR end date is stored as the exclusive
 * instant after that day (2026-08-31 is 2026-09-01T00:00 in the zone), and
 * explain used to print that instant's day: "contract ended 2026-09-01" for a
 * contract HR ends on 2026-08-31. And it said "deleted 30 day(s) later",
 * later than a day it had just named wrong, though the grace runs from the
 * disable when that comes after the end.
 */

/** The lifecycle's explanation of the account (explain's `state:` line). */
const detail = (d: { explanations: readonly { subject: string; detail?: string }[] }): string =>
  d.explanations.find((x) => x.subject === 'state')?.detail ?? '';

describe('explain of a leaver: the days HR wrote and the day of the delete', () => {
  it('a contract HR ends on 2026-08-31 ended 2026-08-31, not the day after', () => {
    const gone = identity('c1', { state: 'terminated', endAt: '2026-09-01T00:00:00.000Z', attributes: person('c1', { employmentType: 'contractor' }) });
    const text = detail(desiredOne(gone, { links: [link('c1')], now: new Date('2026-09-02T00:00:00.000Z') }));
    expect(text).toContain('contract ended 2026-08-31');
    expect(text).not.toContain('2026-09-01');
  });

  it('in another zone the last day is the one HR wrote there (2026-08-31 in Berlin ends at 22:00Z)', () => {
    const config = testConfig({ lifecycle: testLifecycle({ timezone: 'Europe/Berlin' }) });
    const gone = identity('e1', { state: 'terminated', endAt: '2026-08-31T22:00:00.000Z' });
    expect(detail(desiredOne(gone, { links: [link('e1')], now: new Date('2026-09-02T00:00:00.000Z') }, config))).toContain('left 2026-08-31');
  });

  it('a leaver disabled after the end is deleted 30 days after the disable, and explain names that day', () => {
    // HR: last day 2026-11-27; the sync that disabled the account ran on 2026-11-28 at 21:45.
    const gone = identity('e1', { state: 'terminated', endAt: '2026-11-28T00:00:00.000Z' });
    const disabled = link('e1', { enabled: false, disabledAt: '2026-11-28T21:45:00.000Z' });
    const text = detail(desiredOne(gone, { links: [disabled], now: new Date('2026-11-29T09:00:00.000Z') }));
    expect(text).toContain('left 2026-11-27');
    expect(text).toContain('deleted on 2026-12-28 (a 30-day grace)');
  });

  it('an account not disabled yet says how long the grace is (its start is the disable to come)', () => {
    const gone = identity('e1', { state: 'terminated', endAt: '2026-11-28T00:00:00.000Z' });
    expect(detail(desiredOne(gone, { links: [link('e1')], now: new Date('2026-11-29T09:00:00.000Z') }))).toContain('deleted 30 day(s) later');
  });
});
