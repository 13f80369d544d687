import { describe, expect, it } from 'vitest';
import { NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { batchOf, company } from './merge-fixtures.js';
import { mergeBatch } from './merge.js';

/** A delta that reports people deleted (`batch.gone`, a directory read with syncrepl): lifecycle/missing.ts, reportedGone. */
const EARLIER = new Date('2025-06-01T08:00:00.000Z');

function mergeGone(rows: Parameters<typeof batchOf>[0], gone: readonly string[], existing: ReturnType<typeof company>['identities'], source = testSource()) {
  return mergeBatch({
    batch: { ...batchOf(rows), gone }, existing: new Map(existing.map((i) => [i.id, i])), source,
    lifecycle: testLifecycle(), now: NOW,
  });
}

describe('mergeBatch: people a delta reports deleted', () => {
  it('marks them missing as a snapshot would, and leaves everyone else alone', () => {
    const { identities } = company(10, EARLIER);
    const result = mergeGone([person('e5', { title: 'Lead' })], ['e1', 'unknown'], identities);
    expect(result.missing).toEqual(['e1']);
    expect(result.events).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'missing', identityId: 'e1', reasons: ['leaver.missing_from_source'] })]));
    expect(result.changed).toBe(1);
  });

  it('holds more deletions at once than maxMissing allows: nobody is marked missing', () => {
    const { identities } = company(10, EARLIER);
    const result = mergeGone([], ['e1', 'e2', 'e3'], identities);
    expect(result.missing).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated', count: 3, limit: 2 })]);
    expect(result.diagnostics[0]?.message).toContain('it reports 3 of 10 people deleted (30%); the limit is 20%');
  });

  it('a key also in the batch is not gone', () => {
    const { identities } = company(10, EARLIER);
    expect(mergeGone([person('e1')], ['e1'], identities).missing).toEqual([]);
  });

  it('a source with complete: false never has leavers, whatever a delta reports (its full passes mark nobody missing either)', () => {
    const { identities } = company(10, EARLIER);
    const result = mergeGone([], ['e1'], identities, { ...testSource(), complete: false });
    expect(result.missing).toEqual([]);
    expect(result.events.filter((e) => e.kind === 'missing')).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });
});
