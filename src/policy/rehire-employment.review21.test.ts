import { describe, expect, it } from 'vitest';
import { desiredOne } from './policy-fixtures.js';
import { at, disabledOn, HIRED, history, reasonsOf } from './rehire-fixtures.js';
import { link, person } from './test-config.js';

/**
 * A rehire never gets the former employment's password back: the policy
 * tells a rehire (a new employment: reason `rehire`, the connector writes a
 * new initial password) from a return (`active`: the same employment goes on)
 * by the employment the lifecycle recorded, not only by the disable's date.
 * Each case runs HR rows through the merge, as an ingest does, and asks the
 * policy about the account the leaver's (or leave's) disable left.
 */

describe('review 21: a termination entered late, then a rehire starting before the disable', () => {
  // Left on the 10th; HR recorded it on the 20th (the sync disabled the account then); back from the 15th, entered on the 21st.
  const rehired = history([
    ['2026-01-05T09:00:00.000Z', HIRED],
    ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-10' }],
    ['2026-03-21T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'active' }],
  ]);

  it('the lifecycle records the new employment', () => {
    expect(rehired).toMatchObject({ state: 'active', startAt: '2026-03-15T00:00:00.000Z', rehiredAt: '2026-03-21T09:00:00.000Z' });
  });

  it('is a rehire (a new password), though the start is before the disable', () => {
    expect(reasonsOf(rehired, disabledOn('2026-03-20T09:05:00.000Z'), '2026-03-21T09:00:01.000Z')).toEqual(['rehire']);
  });

  it('with the former end date left on the row, too', () => {
    const kept = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-10' }],
      ['2026-03-21T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '2026-03-10', status: 'active' }],
    ]);
    expect(kept.rehiredAt).toBe('2026-03-21T09:00:00.000Z');
    expect(reasonsOf(kept, disabledOn('2026-03-20T09:05:00.000Z'), '2026-03-21T09:00:01.000Z')).toEqual(['rehire']);
  });

  it('a later leave in the new employment ends as a return (the disable came after the rehire was recorded)', () => {
    const onLeave = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-10' }],
      ['2026-03-21T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'active' }],
      ['2026-06-01T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'leave' }],
      ['2026-07-01T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'active' }],
    ]);
    expect(onLeave.rehiredAt).toBe('2026-03-21T09:00:00.000Z');
    expect(reasonsOf(onLeave, disabledOn('2026-06-01T09:05:00.000Z'), '2026-07-01T09:00:01.000Z')).toEqual(['active']);
  });
});

describe('review 21: what stays a return', () => {
  it('a leave of absence and its end', () => {
    const back = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-01T09:00:00.000Z', { ...HIRED, status: 'leave' }],
      ['2026-03-20T09:00:00.000Z', HIRED],
    ]);
    expect(back.rehiredAt).toBeUndefined();
    expect(reasonsOf(back, disabledOn('2026-03-01T09:05:00.000Z'), '2026-03-20T09:00:01.000Z')).toEqual(['active']);
  });

  it('a termination undone (the old start back)', () => {
    const undone = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-19' }],
      ['2026-03-21T09:00:00.000Z', HIRED],
    ]);
    expect(undone.rehiredAt).toBeUndefined();
    expect(reasonsOf(undone, disabledOn('2026-03-20T09:05:00.000Z'), '2026-03-21T09:00:01.000Z')).toEqual(['active']);
  });

  it('a termination undone after a rehire recorded in error drops that rehire', () => {
    // Terminated (disabled on the 20th), a rehire entered against the wrong row, then terminated again and the
    // first termination taken back: the employment of 2020 goes on, its account comes back with its password.
    const undone = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-10' }],
      ['2026-03-21T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'active' }],
      ['2026-03-21T10:00:00.000Z', { ...HIRED, startDate: '2026-03-15', status: 'terminated', endDate: '2026-03-20' }],
      ['2026-03-22T09:00:00.000Z', HIRED],
    ]);
    expect(undone).toMatchObject({ state: 'active', startAt: '2020-03-01T00:00:00.000Z' });
    expect(undone.rehiredAt).toBeUndefined();
    expect(reasonsOf(undone, disabledOn('2026-03-20T09:05:00.000Z'), '2026-03-22T09:00:01.000Z')).toEqual(['active']);
  });

  it('a contractor converted to an employee keeps working through the change (configuration.md conversionGapDays)', () => {
    const contract = { employmentType: 'contractor', startDate: '2025-01-06', endDate: '2026-03-31' };
    const converted = history([
      ['2026-01-05T09:00:00.000Z', person('e1', contract)],
      ['2026-03-20T09:00:00.000Z', person('e1', { employmentType: 'employee', startDate: '2026-04-01', endDate: '' })],
    ]);
    expect(converted.rehiredAt).toBeUndefined();
    expect(desiredOne(converted, { links: [link('e1')], now: at('2026-04-02T09:00:00.000Z') })).toMatchObject({ enabled: true, reasons: ['active'] });
  });
});

describe('review 21: a rehire dated ahead, and one whose account was deleted', () => {
  const ahead = history([
    ['2026-01-05T09:00:00.000Z', HIRED],
    ['2026-03-10T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-09' }],
    ['2026-03-12T09:00:00.000Z', { ...HIRED, startDate: '2026-03-25', endDate: '', status: 'active' }],
  ]);

  it('stays disabled through the prehire lead days, and its start day\'s enable is a rehire\'s', () => {
    const account = disabledOn('2026-03-10T09:05:00.000Z');
    expect(desiredOne(ahead, { links: [account], now: at('2026-03-20T09:00:00.000Z') })).toMatchObject({ present: true, enabled: false, reasons: ['joiner.prehire'] });
    expect(reasonsOf(ahead, account, '2026-03-25T09:00:00.000Z')).toEqual(['rehire']);
  });

  it('a termination entered late and a rehire dated ahead: a rehire too', () => {
    const late = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-10' }],
      ['2026-03-21T09:00:00.000Z', { ...HIRED, startDate: '2026-03-25', endDate: '', status: 'active' }],
    ]);
    expect(reasonsOf(late, disabledOn('2026-03-20T09:05:00.000Z'), '2026-03-25T09:00:00.000Z')).toEqual(['rehire']);
  });

  it('deleted meanwhile: a joiner\'s create; made again disabled in the lead days: a joiner\'s first enable', () => {
    expect(reasonsOf(ahead, undefined, '2026-03-25T09:00:00.000Z')).toEqual(['joiner']);
    const madeAgain = disabledOn('2026-03-19T09:05:00.000Z', { createdAt: '2026-03-19T09:05:00.000Z' });
    expect(reasonsOf(ahead, madeAgain, '2026-03-25T09:00:00.000Z')).toEqual(['joiner']);
  });
});
