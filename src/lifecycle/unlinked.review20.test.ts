import { describe, expect, it } from 'vitest';
import type { Identity } from '../core/types.js';
import { NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { batchOf, company } from './merge-fixtures.js';
import { mergeBatch } from './merge.js';

/** A delta naming gone managers whose reports the directory unlinked (SourceBatch.unlinked: a user deleted from AD). */
const EARLIER = new Date('2025-06-01T08:00:00.000Z');
const field = testSource().fields.manager;

/** e0..e9, with e1..e3 reporting to e0 and e4 to e9 (e3 already gone from the source). */
function team(): Identity[] {
  return company(10, EARLIER).identities.map((identity) => {
    const manager = ['e1', 'e2', 'e3'].includes(identity.id) ? 'e0' : identity.id === 'e4' ? 'e9' : '';
    const stored = { ...identity, attributes: { ...identity.attributes, [field]: manager } };
    return identity.id === 'e3' ? { ...stored, state: 'terminated' as const, missingSince: EARLIER.toISOString() } : stored;
  });
}

function mergeUnlinked(rows: Parameters<typeof batchOf>[0], gone: readonly string[], unlinked: readonly string[], existing: readonly Identity[]) {
  return mergeBatch({
    batch: { ...batchOf(rows), gone, unlinked }, existing: new Map(existing.map((i) => [i.id, i])), source: testSource(),
    lifecycle: testLifecycle(), now: NOW,
  });
}

describe('mergeBatch: reports of a manager the directory unlinked (review 20)', () => {
  it('clears their manager field (movers), leaves the reports of others, the gone and those read this pass alone', () => {
    const existing = team();
    const result = mergeUnlinked([person('e2', { [field]: 'e9' })], ['e0'], ['e0'], existing);
    expect(result.missing).toEqual(['e0']);
    const after = new Map(result.upserts.map((i) => [i.id, i]));
    expect(after.get('e1')?.attributes[field]).toBe('');
    expect(after.get('e1')?.attributes.givenName).toBe(existing.find((i) => i.id === 'e1')?.attributes.givenName);
    // Read this pass: its own record says.
    expect(after.get('e2')?.attributes[field]).toBe('e9');
    expect(after.has('e3')).toBe(false);
    expect(after.has('e4')).toBe(false);
    expect(result.events.filter((e) => e.kind === 'mover').map((e) => [e.identityId, e.changes?.[field]])).toEqual([
      ['e2', { before: 'e0', after: 'e9' }], ['e1', { before: 'e0', after: '' }],
    ]);
    expect(result.changed).toBe(2);
  });

  it('changes nothing while the batch is held as truncated (the cursor is kept: the next pass says it again)', () => {
    const result = mergeUnlinked([], ['e0', 'e5', 'e6'], ['e0'], team());
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.truncated' })]);
    expect(result.upserts).toEqual([]);
  });

  it('without unlinked keys, a gone manager\'s reports keep naming them (a file source: the rows still say so)', () => {
    const result = mergeUnlinked([], ['e0'], [], team());
    expect(result.upserts.map((i) => i.id)).toEqual(['e0']);
  });
});
