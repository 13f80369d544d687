import { describe, expect, it } from 'vitest';
import { NOW, person, testSource } from '../policy/test-config.js';
import { company, merge } from './merge-fixtures.js';

const EARLIER = new Date('2025-06-01T08:00:00.000Z');

describe('mergeBatch: missing from a complete snapshot', () => {
  it('marks a person gone from the snapshot as terminated, and back when they return', () => {
    const { rows, identities } = company(10, EARLIER);
    const result = merge(rows.slice(1), { existing: identities, complete: true });
    expect(result.missing).toEqual(['e0']);
    expect(result.unchanged).toBe(9);
    expect(result.upserts).toEqual([expect.objectContaining({
      id: 'e0', state: 'terminated', missingSince: NOW.toISOString(), endAt: NOW.toISOString(), version: 2,
    })]);
    expect(result.events).toEqual([expect.objectContaining({ kind: 'missing', identityId: 'e0', reasons: ['leaver.missing_from_source'] })]);

    const later = new Date('2026-03-11T12:00:00.000Z');
    const stored = [...identities.slice(1), result.upserts[0]!];
    const back = merge(rows, { existing: stored, complete: true, now: later });
    expect(back.upserts).toEqual([expect.objectContaining({ id: 'e0', state: 'active', version: 3 })]);
    expect(back.upserts[0]?.missingSince).toBeUndefined();
    expect(back.upserts[0]?.endAt).toBeUndefined();
    expect(back.events).toEqual([expect.objectContaining({ kind: 'returned', reasons: ['returned'] })]);
  });

  it('rescinds a prehire that vanished before the start', () => {
    const { rows, identities } = company(9, EARLIER);
    const hire = merge([person('p1', { startDate: '2026-04-01' })], { now: EARLIER }).upserts[0]!;
    const result = merge(rows, { existing: [...identities, hire], complete: true });
    expect(result.upserts).toEqual([expect.objectContaining({ id: 'p1', state: 'rescinded' })]);
    expect(result.events[0]?.reasons).toEqual(['joiner.rescinded', 'leaver.missing_from_source']);
  });

  it('does not mark anyone missing from a partial batch (push)', () => {
    const { identities } = company(10, EARLIER);
    const result = merge([person('e1', { title: 'Lead' })], { existing: identities, complete: false });
    expect(result.missing).toEqual([]);
    expect(result.changed).toBe(1);
  });

  it('ignores people already terminated when they drop out of the file', () => {
    const { rows, identities } = company(10, EARLIER);
    const gone = merge([person('e0', { status: 'terminated' })], { existing: identities, now: EARLIER }).upserts[0]!;
    const result = merge(rows.slice(1), { existing: [gone, ...identities.slice(1)], complete: true });
    expect(result.missing).toEqual([]);
    expect(result.upserts).toEqual([]);
  });
});

describe('mergeBatch: truncated snapshots and malformed rows', () => {
  it('holds when more than maxMissing vanished: nobody is marked missing', () => {
    const { rows, identities } = company(10, EARLIER);
    const result = merge(rows.slice(3), { existing: identities, complete: true });
    expect(result.missing).toEqual([]);
    expect(result.upserts).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'source.truncated' })]);
    expect(result.diagnostics[0]?.message).toContain('3 of 10 people would be gone (30%); the limit is 20%');
  });

  it('applies a maxMissing given as a count', () => {
    const { rows, identities } = company(10, EARLIER);
    const source = testSource({ maxMissing: { count: 1 } });
    expect(merge(rows.slice(1), { existing: identities, complete: true, source }).missing).toEqual(['e0']);
    const two = merge(rows.slice(2), { existing: identities, complete: true, source });
    expect(two.missing).toEqual([]);
    expect(two.diagnostics[0]?.code).toBe('source.truncated');
  });

  it('an empty snapshot with existing identities is always truncated', () => {
    const { identities } = company(2, EARLIER);
    const result = merge([], { existing: identities, complete: true, source: testSource({ maxMissing: { percent: 100 } }) });
    expect(result.missing).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated', severity: 'error' })]);
    expect(result.diagnostics[0]?.message).toContain('empty');
  });

  it('a row without a readable key suppresses missing detection', () => {
    const { rows, identities } = company(10, EARLIER);
    const result = merge(rows.slice(1), { existing: identities, complete: true, problems: [{ line: 2, message: 'no employeeId' }] });
    expect(result.missing).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.missing_suppressed', severity: 'warning' })]);
  });

  it('a malformed row with a key protects that person', () => {
    const { rows, identities } = company(10, EARLIER);
    const result = merge(rows.slice(1), { existing: identities, complete: true, problems: [{ line: 2, key: 'e0', message: 'bad quote' }] });
    expect(result.missing).toEqual([]);
    expect(result.upserts).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });

  it('counts only this source when looking for missing people', () => {
    const { rows, identities } = company(10, EARLIER);
    const other = { ...identities[0]!, id: 'x1', sourceId: 'contractors' };
    const result = merge(rows, { existing: [...identities, other], complete: true });
    expect(result.missing).toEqual([]);
    expect(result.unchanged).toBe(10);
  });
});
