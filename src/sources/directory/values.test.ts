import { describe, expect, it } from 'vitest';
import { dateValue, generalizedTimeToIso } from './values.js';

describe('generalizedTimeToIso (RFC 4517 3.3.13)', () => {
  it('reads seconds, minutes or just the hour, in UTC or with an offset in hours and minutes or hours only', () => {
    expect(generalizedTimeToIso('20270131093015Z')).toBe('2027-01-31T09:30:15.000Z');
    expect(generalizedTimeToIso('202701310930Z')).toBe('2027-01-31T09:30:00.000Z');
    expect(generalizedTimeToIso('2027013109Z')).toBe('2027-01-31T09:00:00.000Z');
    expect(generalizedTimeToIso('20270131093000+0130')).toBe('2027-01-31T08:00:00.000Z');
    expect(generalizedTimeToIso('20270131093000-05')).toBe('2027-01-31T14:30:00.000Z');
    expect(generalizedTimeToIso('2027013100+01')).toBe('2027-01-30T23:00:00.000Z');
  });

  it('takes a fraction as a fraction of the last unit given: hour, minute or second (dot or comma)', () => {
    expect(generalizedTimeToIso('2027013109.25Z')).toBe('2027-01-31T09:15:00.000Z');
    expect(generalizedTimeToIso('2027013109,5Z')).toBe('2027-01-31T09:30:00.000Z');
    expect(generalizedTimeToIso('202701310930.5Z')).toBe('2027-01-31T09:30:30.000Z');
    expect(generalizedTimeToIso('20270131093000.5Z')).toBe('2027-01-31T09:30:00.500Z');
    // A third of an hour, exactly (no floating-point drift), cut to the millisecond.
    expect(generalizedTimeToIso('2027013109.3333333333333Z')).toBe('2027-01-31T09:19:59.999Z');
  });

  it('takes fractions longer than six digits, cut to the millisecond', () => {
    expect(generalizedTimeToIso('20270131093000.1234567891Z')).toBe('2027-01-31T09:30:00.123Z');
    expect(generalizedTimeToIso('20270131093000.9999999Z')).toBe('2027-01-31T09:30:00.999Z');
  });

  it('reads a leap second as 59.999 of its minute, so it stays on its day', () => {
    expect(generalizedTimeToIso('20161231235960Z')).toBe('2016-12-31T23:59:59.999Z');
    expect(generalizedTimeToIso('20161231235960.5Z')).toBe('2016-12-31T23:59:59.999Z');
    expect(generalizedTimeToIso('20170101005960+0100')).toBe('2016-12-31T23:59:59.999Z');
  });

  it('refuses dates and times that do not exist instead of rolling them over', () => {
    expect(generalizedTimeToIso('20270230000000Z')).toBeUndefined();
    expect(generalizedTimeToIso('20270229000000Z')).toBeUndefined();
    expect(generalizedTimeToIso('20280229000000Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(generalizedTimeToIso('21000229000000Z')).toBeUndefined();
    expect(generalizedTimeToIso('20000229000000Z')).toBe('2000-02-29T00:00:00.000Z');
    expect(generalizedTimeToIso('20270431000000Z')).toBeUndefined();
    expect(generalizedTimeToIso('20271301000000Z')).toBeUndefined();
    expect(generalizedTimeToIso('20270100000000Z')).toBeUndefined();
    expect(generalizedTimeToIso('20270131240000Z')).toBeUndefined();
    expect(generalizedTimeToIso('20270131096000Z')).toBeUndefined();
    expect(generalizedTimeToIso('20270131095961Z')).toBeUndefined();
    expect(generalizedTimeToIso('20270131093000+2400')).toBeUndefined();
    expect(generalizedTimeToIso('20270131093000+0160')).toBeUndefined();
  });

  it('refuses what is not GeneralizedTime', () => {
    for (const value of ['20270131093000', '20270131093000.Z', '202701310Z', '20270131093000+1', '2027-01-31T09:30:00Z', '20270131093000z']) {
      expect(generalizedTimeToIso(value)).toBeUndefined();
    }
  });

  it('reads years before 100 as they are', () => {
    expect(generalizedTimeToIso('00500101000000Z')).toBe('0050-01-01T00:00:00.000Z');
  });
});

describe('dateValue', () => {
  it('converts GeneralizedTime and FILETIME, and keeps an impossible date for the date check', () => {
    expect(dateValue('2027013109.5Z')).toBe('2027-01-31T09:30:00.000Z');
    expect(dateValue('0')).toBe('');
    expect(dateValue('20270230000000Z')).toBe('20270230000000Z');
    expect(dateValue('2027-01-31')).toBe('2027-01-31');
  });
});
