import { describe, expect, it } from 'vitest';
import { disabledOn, HIRED, history, reasonsOf } from './rehire-fixtures.js';

/**
 * Adversarial review of Identity.rehiredAt (commit f4abf54): HR rows run
 * through the real merge, in turn, and the policy is asked whether the
 * account a disable left comes back as a rehire's (a new password) or a
 * return's (the same employment: its password kept).
 */
const LEFT = { ...HIRED, status: 'terminated', endDate: '2026-03-09' };

describe('review 21: a rehire taken back in HR before the account was enabled again', () => {
  it('a rehire dated ahead, then the termination undone (the old start back): a return', () => {
    const undone = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-10T09:00:00.000Z', LEFT],
      ['2026-03-12T09:00:00.000Z', { ...HIRED, startDate: '2026-03-25', endDate: '', status: 'active' }],
      ['2026-03-14T09:00:00.000Z', HIRED],
    ]);
    expect(undone).toMatchObject({ state: 'active', startAt: '2020-03-01T00:00:00.000Z' });
    expect(undone.rehiredAt).toBeUndefined();
    expect(reasonsOf(undone, disabledOn('2026-03-10T09:05:00.000Z'), '2026-03-14T09:00:01.000Z')).toEqual(['active']);
  });

  it('a termination entered late, a rehire, then the termination undone before the next plan: a return', () => {
    const undone = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-10' }],
      ['2026-03-21T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'active' }],
      ['2026-03-21T10:00:00.000Z', HIRED],
    ]);
    expect(undone.rehiredAt).toBeUndefined();
    expect(reasonsOf(undone, disabledOn('2026-03-20T09:05:00.000Z'), '2026-03-21T10:00:01.000Z')).toEqual(['active']);
  });

  it('the rehire\'s start corrected, still after the former end: still a rehire', () => {
    const corrected = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-10' }],
      ['2026-03-21T09:00:00.000Z', { ...HIRED, startDate: '2026-03-16', endDate: '', status: 'active' }],
      ['2026-03-21T10:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'active' }],
    ]);
    expect(reasonsOf(corrected, disabledOn('2026-03-20T09:05:00.000Z'), '2026-03-21T10:00:01.000Z')).toEqual(['rehire']);
  });
});

describe('review 21: what holds', () => {
  it('two rehires in a row: the second, after a second termination entered late, is a rehire', () => {
    const twice = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-10T09:00:00.000Z', LEFT],
      ['2026-03-12T09:00:00.000Z', { ...HIRED, startDate: '2026-03-12', endDate: '', status: 'active' }],
      ['2026-06-20T09:00:00.000Z', { ...HIRED, startDate: '2026-03-12', status: 'terminated', endDate: '2026-06-10' }],
      ['2026-06-21T09:00:00.000Z', { ...HIRED, startDate: '2026-06-15', endDate: '', status: 'active' }],
    ]);
    expect(twice.rehiredAt).toBe('2026-06-21T09:00:00.000Z');
    expect(reasonsOf(twice, disabledOn('2026-06-20T09:05:00.000Z'), '2026-06-21T09:00:01.000Z')).toEqual(['rehire']);
  });

  it('a rehire older than a later leave: the leave\'s end is a return', () => {
    const back = history([
      ['2026-01-05T09:00:00.000Z', HIRED],
      ['2026-03-20T09:00:00.000Z', { ...HIRED, status: 'terminated', endDate: '2026-03-10' }],
      ['2026-03-21T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'active' }],
      ['2026-03-22T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'leave' }],
      ['2026-04-01T09:00:00.000Z', { ...HIRED, startDate: '2026-03-15', endDate: '', status: 'active' }],
    ]);
    expect(reasonsOf(back, disabledOn('2026-03-22T09:05:00.000Z'), '2026-04-01T09:00:01.000Z')).toEqual(['active']);
  });
});
