import { describe, expect, it } from 'vitest';
import { isIsoDate } from '../sources/dates.js';
import { merge } from './merge-fixtures.js';
import { NOW, person } from '../policy/test-config.js';
import { parseSourceDate } from './dates.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * Every value the source accepts as an ISO date (sources/dates.ts) must be one
 * the lifecycle can read: otherwise the row passes the source's checks and is
 * then dropped by the merge ("is not a date"), the person never provisioned.
 */
describe('parseSourceDate reads every date the sources accept (review6)', () => {
  it('reads a local date-time with more than three fraction digits (Python isoformat, SQL datetime2)', () => {
    expect(isIsoDate('2026-03-01T09:00:00.123456')).toBe(true);
    expect(iso(parseSourceDate('2026-03-01T09:00:00.123456', 'UTC', 'start'))).toBe('2026-03-01T09:00:00.123Z');
    expect(iso(parseSourceDate('2026-03-01T09:00:00.1234567', 'Europe/Berlin', 'start'))).toBe('2026-03-01T08:00:00.123Z');
  });

  it('a joiner whose start is written with microseconds is created, not dropped', () => {
    const result = merge([person('e1', { startDate: '2024-01-15T08:30:00.000000' })]);
    expect(result.diagnostics).toEqual([]);
    expect(result.upserts).toEqual([expect.objectContaining({ id: 'e1', state: 'active', startAt: '2024-01-15T08:30:00.000Z' })]);
    expect(NOW.getTime()).toBeGreaterThan(Date.parse('2024-01-15'));
  });

  it('reads years before 100 as those years, not as 19xx', () => {
    expect(isIsoDate('0001-01-01')).toBe(true);
    expect(iso(parseSourceDate('0001-01-01', 'UTC', 'start'))).toBe('0001-01-01T00:00:00.000Z');
    expect(iso(parseSourceDate('0099-12-31', 'UTC', 'end'))).toBe('0100-01-01T00:00:00.000Z');
    expect(iso(parseSourceDate('0050-06-01T10:00', 'UTC', 'start'))).toBe('0050-06-01T10:00:00.000Z');
  });
});

describe('parseSourceDate on a day whose midnight the clocks skip (review6)', () => {
  it('a date on a day whose midnight is skipped (daylight saving starting at 00:00 west of UTC) begins at the first instant of that day', () => {
    // Chile: Sunday 2026-09-06 00:00 does not exist (clocks go from 24:00 to 01:00, -04 to -03).
    expect(iso(parseSourceDate('2026-09-06', 'America/Santiago', 'start'))).toBe('2026-09-06T04:00:00.000Z');
    // An end on the Saturday ends at that same instant, not an hour before the last day is over.
    expect(iso(parseSourceDate('2026-09-05', 'America/Santiago', 'end'))).toBe('2026-09-06T04:00:00.000Z');
    expect(iso(parseSourceDate('2026-03-08', 'America/Havana', 'start'))).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(parseSourceDate('2026-03-29', 'Atlantic/Azores', 'start'))).toBe('2026-03-29T01:00:00.000Z');
    // East of UTC (Egypt) it was already right, and stays so.
    expect(iso(parseSourceDate('2026-04-24', 'Africa/Cairo', 'start'))).toBe('2026-04-23T22:00:00.000Z');
  });
});
