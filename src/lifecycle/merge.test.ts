import { describe, expect, it } from 'vitest';
import { NOW, person } from '../policy/test-config.js';
import { merge, seed } from './merge-fixtures.js';
import { effectiveState } from './state.js';

const EARLIER = new Date('2025-06-01T08:00:00.000Z');
const kinds = (events: readonly { kind: string }[]): string[] => events.map((e) => e.kind);

describe('mergeBatch: joiners', () => {
  it('creates an active joiner whose start date has passed', () => {
    const result = merge([person('e1')]);
    expect(result.created).toBe(1);
    const [made] = result.upserts;
    expect(made).toMatchObject({ id: 'e1', sourceId: 'hr', state: 'active', version: 1, startAt: '2024-01-15T00:00:00.000Z' });
    expect(made?.createdAt).toBe(NOW.toISOString());
    expect(made?.endAt).toBeUndefined();
    expect(result.events).toEqual([
      { kind: 'joiner', identityId: 'e1', effectiveAt: NOW.toISOString(), recordedAt: NOW.toISOString(), reasons: ['joiner'] },
    ]);
  });

  it('creates a future-dated hire as prehire with an event dated at the start', () => {
    const result = merge([person('e1', { startDate: '2026-04-01' })]);
    expect(result.upserts[0]?.state).toBe('prehire');
    expect(result.events[0]).toMatchObject({ kind: 'joiner', reasons: ['joiner.future_dated'], effectiveAt: '2026-04-01T00:00:00.000Z' });
    expect(effectiveState(result.upserts[0]!, new Date('2026-04-01T00:00:00.000Z'))).toBe('active');
  });

  it('records a contractor with a known contract end as a future leaver', () => {
    const result = merge([person('c1', { employmentType: 'Contractor', endDate: '2026-06-30' })]);
    expect(result.upserts[0]).toMatchObject({ state: 'active', endAt: '2026-07-01T00:00:00.000Z' });
    expect(result.events[1]).toMatchObject({
      kind: 'leaver', reasons: ['leaver.future_dated', 'leaver.contract_end'], effectiveAt: '2026-07-01T00:00:00.000Z',
    });
  });

  it('keeps the last row of a duplicated key and says so', () => {
    const result = merge([person('e1', { title: 'A' }), person('e1', { title: 'B' })]);
    expect(result.upserts).toHaveLength(1);
    expect(result.upserts[0]?.attributes.title).toBe('B');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['source.duplicate_key']);
  });
});

describe('mergeBatch: movers and unchanged records', () => {
  it('produces nothing for an unchanged record', () => {
    const before = seed(person('e1'), EARLIER);
    const result = merge([person('e1')], { existing: [before] });
    expect(result).toMatchObject({ upserts: [], events: [], unchanged: 1, changed: 0, created: 0 });
  });

  it('lays a partial record (a push, a delta) over what is known; a full snapshot replaces', () => {
    const before = seed(person('e1'), EARLIER);
    const partial = merge([{ employeeId: 'e1', department: 'Sales' }], { existing: [before] });
    expect(partial.upserts[0]?.attributes).toMatchObject({ givenName: 'Jane', email: 'e1@example.com', department: 'Sales' });
    const full = merge([{ employeeId: 'e1', department: 'Sales' }], { existing: [before], complete: true });
    expect(full.upserts[0]?.attributes.givenName).toBeUndefined();
  });

  it('records a mover with before/after per attribute and bumps the version', () => {
    const before = seed(person('e1'), EARLIER);
    const result = merge([person('e1', { department: 'Sales', title: 'Account Executive' })], { existing: [before] });
    expect(result.changed).toBe(1);
    const [after] = result.upserts;
    expect(after).toMatchObject({ version: 2, createdAt: EARLIER.toISOString(), updatedAt: NOW.toISOString(), state: 'active' });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      kind: 'mover',
      reasons: ['mover.department', 'mover.title'],
      changes: { department: { before: 'Engineering', after: 'Sales' }, title: { before: 'Engineer', after: 'Account Executive' } },
    });
  });

  it('names a manager change mover.manager', () => {
    const before = seed(person('e1', { managerId: 'm1' }), EARLIER);
    const result = merge([person('e1', { managerId: 'm2' })], { existing: [before] });
    expect(result.events[0]?.reasons).toEqual(['mover.manager']);
  });

  it('records a conversion from contractor to employee, and the cancelled contract end', () => {
    const before = seed(person('c1', { employmentType: 'contractor', endDate: '2026-06-30' }), EARLIER);
    const result = merge([person('c1', { employmentType: 'employee', endDate: '' })], { existing: [before] });
    expect(result.upserts[0]?.endAt).toBeUndefined();
    expect(kinds(result.events)).toEqual(['mover', 'mover', 'conversion']);
    expect(result.events[0]?.reasons).toEqual(['leaver.cancelled']);
    expect(result.events[2]).toMatchObject({
      reasons: ['conversion.contractor_to_employee'],
      changes: { employmentType: { before: 'contractor', after: 'employee' } },
    });
  });

  it('records the conversion back from employee to contractor', () => {
    const before = seed(person('c1'), EARLIER);
    const result = merge([person('c1', { employmentType: 'Contractor', endDate: '2026-09-30' })], { existing: [before] });
    expect(result.events.find((e) => e.kind === 'conversion')?.reasons).toEqual(['conversion.employee_to_contractor']);
    expect(result.events.find((e) => e.kind === 'leaver')?.reasons).toEqual(['leaver.future_dated', 'leaver.contract_end']);
  });
});
