import { describe, expect, it } from 'vitest';
import { person } from '../policy/test-config.js';
import { merge, seed } from './merge-fixtures.js';

/**
 * Review 22: a source whose mapping grows (a directory source given
 * `managerId: manager`, a CSV given a new column) reads the new attribute
 * empty for most people. Each of them became a mover ("managerId: ∅ → ''",
 * mover.manager) on the first pass after the change, and again whenever
 * they came back. An attribute that comes empty where the record had none
 * is no change; one that comes with a value is a mover as before.
 */
describe('review 22: a newly mapped attribute that comes empty is no mover', () => {
  const at = new Date('2026-03-01T09:00:00.000Z');
  const later = new Date('2026-03-02T09:00:00.000Z');
  const { managerId: _, ...withoutManager } = person('e1');
  const stored = seed(withoutManager, at);

  it('absent before, empty now: no event, the record takes the empty value', () => {
    expect(stored.attributes.managerId).toBeUndefined();
    const result = merge([{ ...withoutManager, managerId: '' }], { existing: [stored], now: later });
    expect(result.events).toEqual([]);
    expect(result.upserts[0]?.attributes.managerId ?? '').toBe('');
  });

  it('absent before, a value now: a mover, as before', () => {
    const result = merge([{ ...withoutManager, managerId: 'm1' }], { existing: [stored], now: later });
    expect(result.events.map((e) => [e.kind, e.reasons])).toEqual([['mover', ['mover.manager']]]);
  });

  it('a value cleared is still a mover', () => {
    const managed = seed({ ...withoutManager, managerId: 'm1' }, at);
    const result = merge([{ ...withoutManager, managerId: '' }], { existing: [managed], now: later });
    expect(result.events.map((e) => [e.kind, e.reasons])).toEqual([['mover', ['mover.manager']]]);
  });
});
