import { describe, expect, it } from 'vitest';
import { NOW, person } from '../policy/test-config.js';
import { merge, seed } from './merge-fixtures.js';
import { effectiveState } from './state.js';

/**
 * Review 13b: a next employment after a gap (stored with endAt before startAt,
 * merge.ts currentEnd), changed again by HR. Contract to 31 March, employee
 * from 20 April, entered on 10 March (NOW).
 */
const CONTRACT = { employmentType: 'contractor', startDate: '2025-01-06', endDate: '2026-03-31' };
const EARLIER = new Date('2025-06-01T08:00:00.000Z');
const NEXT = { employmentType: 'employee', startDate: '2026-04-20', endDate: '' };
const on = (iso: string) => new Date(`${iso}T09:00:00.000Z`);

function inGapIdentity(id: string) {
  const before = seed(person(id, CONTRACT), EARLIER);
  return merge([person(id, NEXT)], { existing: [before] }).upserts[0]!;
}

describe('a next employment after a gap, changed again while the contract runs (review13b)', () => {
  it('the new start moved earlier, within conversionGapDays of the contract end: still working now, and continuously', () => {
    const gap = inGapIdentity('h1');
    const moved = merge([person('h1', { ...NEXT, startDate: '2026-04-02' })], { existing: [gap], now: on('2026-03-15') }).upserts[0]!;
    // Was: continuedStart kept the stored start (the future 20 April) as "the current employment's": a prehire at once.
    expect(effectiveState(moved, on('2026-03-15'))).toBe('active');
    expect(effectiveState(moved, on('2026-04-01'))).toBe('active');
    expect(effectiveState(moved, on('2026-04-02'))).toBe('active');
    expect(effectiveState(moved, on('2026-05-01'))).toBe('active');
  });

  it('the new start moved before the contract end (the two overlap): still working now', () => {
    const gap = inGapIdentity('h2');
    const moved = merge([person('h2', { ...NEXT, startDate: '2026-03-25' })], { existing: [gap], now: on('2026-03-15') }).upserts[0]!;
    expect(effectiveState(moved, on('2026-03-15'))).toBe('active');
    expect(effectiveState(moved, on('2026-03-31'))).toBe('active');
  });

  it('the new start moved later, still after a gap: working to the contract end, back at the later start', () => {
    const gap = inGapIdentity('h3');
    const moved = merge([person('h3', { ...NEXT, startDate: '2026-05-04' })], { existing: [gap], now: on('2026-03-15') }).upserts[0]!;
    expect(effectiveState(moved, on('2026-03-15'))).toBe('active');
    expect(effectiveState(moved, on('2026-04-20'))).toBe('terminated');
    expect(effectiveState(moved, on('2026-05-04'))).toBe('active');
  });

  it('gone from a complete snapshot during the gap: marked missing, never back at the new start', () => {
    const gap = inGapIdentity('h4');
    const others = merge([person('o1')], { now: EARLIER }).upserts[0]!;
    const gone = merge([person('o1')], { existing: [gap, others], complete: true, now: on('2026-04-05') });
    // Was: the gap reads as terminated, which findMissing skips; on 20 April the stored identity became active again.
    expect(gone.missing).toEqual(['h4']);
    const after = gone.upserts.find((i) => i.id === 'h4')!;
    expect(effectiveState(after, on('2026-04-20'))).not.toBe('active');
    expect(effectiveState(after, on('2026-04-20'))).not.toBe('prehire');
  });

  it('the conversion withdrawn in the gap (the old contract row back): stays a leaver, no second leaver event', () => {
    const gap = inGapIdentity('h5');
    const back = merge([person('h5', CONTRACT)], { existing: [gap], now: on('2026-04-05') });
    const after = back.upserts[0]!;
    expect(effectiveState(after, on('2026-04-20'))).toBe('terminated');
    expect(back.events.filter((e) => e.kind === 'leaver')).toHaveLength(0);
  });

  it('the conversion withdrawn in the gap by status terminated: never back at the new start', () => {
    const gap = inGapIdentity('h6');
    const ended = merge([person('h6', { ...NEXT, status: 'terminated' })], { existing: [gap], now: on('2026-04-05') }).upserts[0]!;
    expect(effectiveState(ended, on('2026-04-20'))).toBe('terminated');
  });
});
