import { describe, expect, it } from 'vitest';
import { NOW, person, testLifecycle } from '../policy/test-config.js';
import { merge, seed } from './merge-fixtures.js';
import { effectiveState } from './state.js';

/**
 * A contractor converted to an employee, entered ahead of time: the
 * contract ends on 31 March, the same person is an employee from 1 April,
 * and HR enters it on 10 March (NOW). They keep working through the change
 * instead of becoming a future hire whose accounts are disabled until April.
 */
const CONTRACT = { employmentType: 'contractor', startDate: '2025-01-06', endDate: '2026-03-31' };
const EARLIER = new Date('2025-06-01T08:00:00.000Z');

describe('a conversion entered ahead of time', () => {
  it('keeps a working contractor active through a conversion that starts the day after the contract ends', () => {
    const before = seed(person('c1', CONTRACT), EARLIER);
    expect(effectiveState(before, NOW)).toBe('active');
    const result = merge([person('c1', { employmentType: 'employee', startDate: '2026-04-01', endDate: '' })], { existing: [before] });
    const after = result.upserts[0]!;
    expect(after.state).toBe('active');
    expect(effectiveState(after, NOW)).toBe('active');
    expect(after.startAt).toBe(before.startAt);
    expect(after.endAt).toBeUndefined();
    expect(result.events.map((e) => e.kind)).toContain('conversion');
    expect(result.events.map((e) => e.kind)).not.toContain('joiner');
    // Still working on the day the new employment starts, and after.
    expect(effectiveState(after, new Date('2026-04-01T09:00:00.000Z'))).toBe('active');
    // Another change before the new start (a new title) keeps the bridge; moving the start weeks later breaks it.
    const retitled = merge([person('c1', { employmentType: 'employee', startDate: '2026-04-01', endDate: '', title: 'Staff Engineer' })], { existing: [after] });
    expect(retitled.upserts[0]?.state).toBe('active');
    const moved = merge([person('c1', { employmentType: 'employee', startDate: '2026-05-01', endDate: '' })], { existing: [after] });
    expect(moved.upserts[0]?.state).toBe('prehire');
  });

  it('bridges a weekend: the contract ends on a Friday, the employment starts on the Monday', () => {
    const before = seed(person('c2', { ...CONTRACT, endDate: '2026-03-27' }), EARLIER);
    const result = merge([person('c2', { employmentType: 'employee', startDate: '2026-03-30', endDate: '' })], { existing: [before] });
    expect(result.upserts[0]?.state).toBe('active');
  });

  it('a new employment that overlaps the contract (starts before it ends) is continuous too', () => {
    const before = seed(person('c6', CONTRACT), EARLIER);
    const result = merge([person('c6', { employmentType: 'employee', startDate: '2026-03-16', endDate: '' })], { existing: [before] });
    expect(result.upserts[0]?.state).toBe('active');
  });

  it('a longer gap is a break (conversionGapDays): working to the contract end, a leaver in the gap, back at the new start', () => {
    const before = seed(person('c3', CONTRACT), EARLIER);
    const later = merge([person('c3', { employmentType: 'employee', startDate: '2026-04-15', endDate: '' })], { existing: [before] }).upserts[0]!;
    // Never cut off before the contract ends (review 13: it was a future hire at once, disabled three weeks early).
    expect(effectiveState(later, NOW)).toBe('active');
    expect(later.endAt).toBe(before.endAt);
    expect(effectiveState(later, new Date('2026-04-05T09:00:00.000Z'))).toBe('terminated');
    expect(effectiveState(later, new Date('2026-04-15T09:00:00.000Z'))).toBe('active');
    const strict = merge([person('c3', { employmentType: 'employee', startDate: '2026-04-02', endDate: '' })], {
      existing: [before], lifecycle: testLifecycle({ conversionGapDays: 0 }),
    }).upserts[0]!;
    expect(effectiveState(strict, new Date('2026-04-01T09:00:00.000Z'))).toBe('terminated');
    expect(effectiveState(strict, new Date('2026-04-02T09:00:00.000Z'))).toBe('active');
  });

  it('someone whose contract has already ended, or who never had an end date, is not bridged', () => {
    const ended = seed(person('c4', { ...CONTRACT, endDate: '2026-03-01' }), EARLIER);
    const late = merge([person('c4', { employmentType: 'employee', startDate: '2026-03-12', endDate: '' })], { existing: [ended] });
    expect(late.upserts[0]?.state).toBe('prehire');
    // A start date corrected into the future for someone with no end date: a postponed start, as before.
    const open = seed(person('c5', { employmentType: 'employee', startDate: '2026-03-02', endDate: '' }), new Date('2026-03-02T09:00:00.000Z'));
    const postponed = merge([person('c5', { employmentType: 'employee', startDate: '2026-04-01', endDate: '' })], { existing: [open] });
    expect(postponed.upserts[0]?.state).toBe('prehire');
  });
});
