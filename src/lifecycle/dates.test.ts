import { describe, expect, it } from 'vitest';
import { isRosterError } from '../core/errors.js';
import { identity, NOW } from '../policy/test-config.js';
import { parseSourceDate } from './dates.js';
import { effectiveState } from './state.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('parseSourceDate', () => {
  it('reads a date-only start as midnight and a date-only end as the end of that day', () => {
    expect(iso(parseSourceDate('2026-03-01', 'UTC', 'start'))).toBe('2026-03-01T00:00:00.000Z');
    expect(iso(parseSourceDate('2026-03-31', 'UTC', 'end'))).toBe('2026-04-01T00:00:00.000Z');
    expect(iso(parseSourceDate('2026-12-31', 'UTC', 'end'))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('places date-only and local times in the lifecycle time zone, across daylight saving', () => {
    expect(iso(parseSourceDate('2026-03-01', 'Europe/Berlin', 'start'))).toBe('2026-02-28T23:00:00.000Z');
    expect(iso(parseSourceDate('2026-07-01', 'Europe/Berlin', 'start'))).toBe('2026-06-30T22:00:00.000Z');
    expect(iso(parseSourceDate('2026-03-28', 'Europe/Berlin', 'end'))).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(parseSourceDate('2026-03-29', 'Europe/Berlin', 'end'))).toBe('2026-03-29T22:00:00.000Z');
    expect(iso(parseSourceDate('2026-07-01T09:30', 'America/New_York', 'start'))).toBe('2026-07-01T13:30:00.000Z');
  });

  it('keeps values that carry their own zone', () => {
    expect(iso(parseSourceDate('2026-03-01T09:00:00+02:00', 'America/New_York', 'end'))).toBe('2026-03-01T07:00:00.000Z');
    expect(iso(parseSourceDate('2026-03-01T09:00:00Z', 'Europe/Berlin', 'start'))).toBe('2026-03-01T09:00:00.000Z');
  });

  it('treats empty values as no date and rejects garbage with source.malformed', () => {
    expect(parseSourceDate('', 'UTC', 'start')).toBeUndefined();
    expect(parseSourceDate('  ', 'UTC', 'end')).toBeUndefined();
    expect(parseSourceDate(null, 'UTC', 'end')).toBeUndefined();
    for (const bad of ['2026-02-30', '03/01/2026', 'soon']) {
      let caught: unknown;
      try { parseSourceDate(bad, 'UTC', 'start'); } catch (error) { caught = error; }
      expect(isRosterError(caught, 'source.malformed')).toBe(true);
    }
  });

  it('rejects an unknown time zone with config.invalid', () => {
    expect(() => parseSourceDate('2026-03-01', 'Mars/Olympus', 'start')).toThrow(/unknown time zone/);
  });
});

describe('effectiveState', () => {
  it('turns a prehire active once the start date passed', () => {
    const hire = identity('e1', { state: 'prehire', startAt: '2026-03-10T00:00:00.000Z' });
    expect(effectiveState(hire, new Date('2026-03-09T23:59:59.999Z'))).toBe('prehire');
    expect(effectiveState(hire, NOW)).toBe('active');
  });

  it('turns an active identity terminated at its end date, leave included', () => {
    const leaving = identity('e1', { endAt: '2026-03-11T00:00:00.000Z' });
    expect(effectiveState(leaving, NOW)).toBe('active');
    expect(effectiveState(leaving, new Date('2026-03-11T00:00:00.000Z'))).toBe('terminated');
    expect(effectiveState({ ...leaving, state: 'leave' }, new Date('2026-04-01T00:00:00.000Z'))).toBe('terminated');
    expect(effectiveState({ ...leaving, state: 'leave' }, NOW)).toBe('leave');
  });

  it('keeps terminated and rescinded as stored', () => {
    expect(effectiveState(identity('e1', { state: 'terminated', endAt: undefined }), NOW)).toBe('terminated');
    expect(effectiveState(identity('e1', { state: 'rescinded', startAt: '2027-01-01T00:00:00.000Z' }), NOW)).toBe('rescinded');
  });
});
