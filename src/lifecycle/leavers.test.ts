import { describe, expect, it } from 'vitest';
import { NOW, person } from '../policy/test-config.js';
import { merge, seed } from './merge-fixtures.js';
import { effectiveState } from './state.js';

const EARLIER = new Date('2025-06-01T08:00:00.000Z');
const kinds = (events: readonly { kind: string }[]): string[] => events.map((e) => e.kind);

describe('mergeBatch: leavers', () => {
  it('a termination dated today keeps the person working until the end of the day', () => {
    const before = seed(person('e1'), EARLIER);
    const result = merge([person('e1', { endDate: '2026-03-10' })], { existing: [before] });
    const [after] = result.upserts;
    expect(after).toMatchObject({ state: 'active', endAt: '2026-03-11T00:00:00.000Z' });
    expect(result.events).toEqual([expect.objectContaining({
      kind: 'leaver', reasons: ['leaver.future_dated'], effectiveAt: '2026-03-11T00:00:00.000Z',
    })]);
    expect(effectiveState(after!, new Date('2026-03-10T23:59:59.000Z'))).toBe('active');
    expect(effectiveState(after!, new Date('2026-03-11T00:00:00.000Z'))).toBe('terminated');
  });

  it('a termination dated in the past terminates now', () => {
    const before = seed(person('e1'), EARLIER);
    const result = merge([person('e1', { endDate: '2026-03-01', status: 'terminated' })], { existing: [before] });
    expect(result.upserts[0]).toMatchObject({ state: 'terminated', endAt: '2026-03-02T00:00:00.000Z' });
    expect(result.events).toEqual([expect.objectContaining({
      kind: 'leaver', reasons: ['leaver.terminated'], effectiveAt: '2026-03-02T00:00:00.000Z',
    })]);
  });

  it('a "terminated" status without a date terminates now, and keeps that date on later changes', () => {
    const before = seed(person('e1'), EARLIER);
    const first = merge([person('e1', { status: 'Terminated' })], { existing: [before] });
    expect(first.upserts[0]).toMatchObject({ state: 'terminated', endAt: NOW.toISOString() });
    const later = new Date('2026-03-20T00:00:00.000Z');
    const second = merge([person('e1', { status: 'Terminated', title: 'Former' })], { existing: [...first.upserts], now: later });
    expect(second.upserts[0]).toMatchObject({ state: 'terminated', endAt: NOW.toISOString(), version: 3 });
    expect(kinds(second.events)).toEqual(['mover']);
  });

  it('a "terminated" status with a future date is a future-dated leaver', () => {
    const before = seed(person('e1'), EARLIER);
    const result = merge([person('e1', { status: 'terminated', endDate: '2026-03-31' })], { existing: [before] });
    expect(result.upserts[0]).toMatchObject({ state: 'active', endAt: '2026-04-01T00:00:00.000Z' });
    expect(result.events[0]).toMatchObject({ kind: 'leaver', reasons: ['leaver.future_dated'] });
  });

  it('a contractor whose contract ended is a leaver with reason leaver.contract_end', () => {
    const before = seed(person('c1', { employmentType: 'contractor', endDate: '2026-12-31' }), EARLIER);
    const result = merge([person('c1', { employmentType: 'contractor', endDate: '2026-03-05' })], { existing: [before] });
    expect(result.upserts[0]?.state).toBe('terminated');
    expect(result.events).toEqual([expect.objectContaining({ kind: 'leaver', reasons: ['leaver.contract_end'] })]);
  });

  it('rehire: a terminated identity comes back with a new start after its old end', () => {
    const gone = seed(person('e1', { endDate: '2025-12-31', status: 'terminated' }), new Date('2026-01-05T00:00:00.000Z'));
    expect(gone.state).toBe('terminated');
    const result = merge([person('e1', { startDate: '2026-03-16', endDate: '2025-12-31', status: 'active' })], { existing: [gone] });
    const [back] = result.upserts;
    expect(back).toMatchObject({ id: 'e1', version: 2, state: 'prehire', startAt: '2026-03-16T00:00:00.000Z', createdAt: gone.createdAt });
    expect(back?.endAt).toBeUndefined();
    expect(result.events).toEqual([expect.objectContaining({ kind: 'rehire', reasons: ['rehire'], effectiveAt: '2026-03-16T00:00:00.000Z' })]);
  });

  it('a termination taken back (status active again, same start): the same employment goes on, leaver.reverted, not a rehire', () => {
    const gone = seed(person('e1', { status: 'inactive' }), EARLIER);
    const result = merge([person('e1', { status: 'active' })], { existing: [gone] });
    expect(result.upserts[0]).toMatchObject({ state: 'active', version: 2 });
    expect(result.upserts[0]?.endAt).toBeUndefined();
    expect(result.events).toEqual([expect.objectContaining({ kind: 'mover', reasons: ['leaver.reverted'], changes: { status: { before: 'inactive', after: 'active' } } })]);
  });

  it('a termination dated and taken back: leaver.reverted with the end date and status as they were', () => {
    const gone = seed(person('e1', { endDate: '2026-03-01', status: 'terminated' }), EARLIER);
    const result = merge([person('e1', { endDate: '', status: 'active' })], { existing: [gone] });
    expect(result.upserts[0]).toMatchObject({ state: 'active' });
    expect(result.events).toEqual([expect.objectContaining({
      kind: 'mover', reasons: ['leaver.reverted'],
      changes: { status: { before: 'terminated', after: 'active' }, endDate: { before: '2026-03-01', after: '' } },
    })]);
  });

  it('rehire: back with a start date on the day after the old end', () => {
    const gone = seed(person('e1', { endDate: '2026-03-01', status: 'terminated' }), EARLIER);
    const result = merge([person('e1', { startDate: '2026-03-02', endDate: '', status: 'active' })], { existing: [gone] });
    expect(kinds(result.events)).toEqual(['rehire']);
  });
});

describe('mergeBatch: leave and rescinded offers', () => {
  it('records leave start and leave end', () => {
    const before = seed(person('e1'), EARLIER);
    const away = merge([person('e1', { status: 'On Leave' })], { existing: [before] });
    expect(away.upserts[0]?.state).toBe('leave');
    expect(away.events).toEqual([expect.objectContaining({ kind: 'leave.start', reasons: ['leave.start'] })]);
    const back = merge([person('e1', { status: 'active' })], { existing: [...away.upserts], now: new Date('2026-05-01T00:00:00.000Z') });
    expect(back.upserts[0]).toMatchObject({ state: 'active', version: 3 });
    expect(back.events).toEqual([expect.objectContaining({ kind: 'leave.end', reasons: ['leave.end'] })]);
  });

  it('a prehire whose offer is withdrawn before the start is rescinded', () => {
    const hire = seed(person('e1', { startDate: '2026-04-01' }), EARLIER);
    const result = merge([person('e1', { startDate: '2026-04-01', status: 'Withdrawn' })], { existing: [hire] });
    expect(result.upserts[0]?.state).toBe('rescinded');
    expect(result.events).toEqual([expect.objectContaining({ kind: 'rescinded', reasons: ['joiner.rescinded'] })]);
  });

  it('a moved start date of a prehire is recorded', () => {
    const hire = seed(person('e1', { startDate: '2026-04-01' }), EARLIER);
    const result = merge([person('e1', { startDate: '2026-04-15' })], { existing: [hire] });
    expect(result.events).toEqual([expect.objectContaining({ kind: 'joiner', reasons: ['joiner.rescheduled'], effectiveAt: '2026-04-15T00:00:00.000Z' })]);
  });

  it('ignores a row with an unreadable date and leaves the identity as it was', () => {
    const before = seed(person('e1'), EARLIER);
    const result = merge([person('e1', { endDate: '31/12/2026' })], { existing: [before], complete: true });
    expect(result.upserts).toEqual([]);
    expect(result.missing).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.invalid_date', identity: 'e1', severity: 'error' })]);
  });
});
