import { describe, expect, it } from 'vitest';
import { NOW, person } from '../policy/test-config.js';
import { merge, seed } from './merge-fixtures.js';
import { effectiveState } from './state.js';

/**
 * A next employment entered ahead after a gap longer than conversionGapDays
 * (contract to 31 March, employee from 20 April, entered on 10 March = NOW):
 * the contractor works to the end of the contract, is a leaver in the gap,
 * and is back on the new start. Before review 13 the row made them a future
 * hire at once: disabled three weeks before their contract ended.
 */
const CONTRACT = { employmentType: 'contractor', startDate: '2025-01-06', endDate: '2026-03-31' };
const EARLIER = new Date('2025-06-01T08:00:00.000Z');
const NEXT = { employmentType: 'employee', startDate: '2026-04-20', endDate: '' };
const on = (iso: string) => new Date(`${iso}T09:00:00.000Z`);

describe('a next employment after a gap, entered while the current one runs', () => {
  it('keeps the current end and the new start; no joiner or leaver event now', () => {
    const before = seed(person('g1', CONTRACT), EARLIER);
    const result = merge([person('g1', NEXT)], { existing: [before] });
    const after = result.upserts[0]!;
    expect(after).toMatchObject({ state: 'active', endAt: before.endAt, startAt: '2026-04-20T00:00:00.000Z' });
    expect(effectiveState(after, NOW)).toBe('active');
    expect(effectiveState(after, on('2026-03-31'))).toBe('active');
    expect(effectiveState(after, on('2026-04-01'))).toBe('terminated');
    expect(effectiveState(after, on('2026-04-19'))).toBe('terminated');
    expect(effectiveState(after, on('2026-04-20'))).toBe('active');
    const kinds = result.events.map((e) => e.kind);
    expect(kinds).toContain('conversion');
    expect(kinds).not.toContain('joiner');
    expect(kinds).not.toContain('leaver');
  });

  it('another change to the row while the contract runs keeps it so; a change in the gap makes a future hire', () => {
    const before = seed(person('g2', CONTRACT), EARLIER);
    const after = merge([person('g2', NEXT)], { existing: [before] }).upserts[0]!;
    const retitled = merge([person('g2', { ...NEXT, title: 'Staff Engineer' })], { existing: [after], now: on('2026-03-20') }).upserts[0]!;
    expect(retitled).toMatchObject({ state: 'active', endAt: before.endAt });
    const inGap = merge([person('g2', { ...NEXT, title: 'Principal' })], { existing: [retitled], now: on('2026-04-05') });
    expect(inGap.upserts[0]).toMatchObject({ state: 'prehire' });
    expect(inGap.upserts[0]?.endAt).toBeUndefined();
    expect(inGap.events.map((e) => e.kind)).toContain('rehire');
  });

  it('a next employment with an end of its own, or a status other than active, is read from the row as before', () => {
    const before = seed(person('g3', CONTRACT), EARLIER);
    const fixedTerm = merge([person('g3', { ...NEXT, endDate: '2026-12-31' })], { existing: [before] }).upserts[0]!;
    expect(fixedTerm.state).toBe('prehire');
    const rescinded = merge([person('g3', { ...NEXT, status: 'rescinded' })], { existing: [before] }).upserts[0]!;
    expect(rescinded.state).toBe('rescinded');
  });

  it('a stored end after the start (an ordinary future leaver) is read as before', () => {
    const leaver = seed(person('g4', { startDate: '2025-01-06', endDate: '2026-06-30' }), EARLIER);
    expect(effectiveState(leaver, NOW)).toBe('active');
    expect(effectiveState(leaver, on('2026-07-01'))).toBe('terminated');
  });
});
