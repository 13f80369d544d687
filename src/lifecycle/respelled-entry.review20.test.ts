import { describe, expect, it } from 'vitest';
import type { Identity, SourceBatch, SourceProblem } from '../core/types.js';
import { NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { mergeBatch } from './merge.js';
import { respellKeys } from './respelled.js';

const T0 = new Date('2026-03-01T08:00:00.000Z');
const ADA = 'a1b2c3d4-0000-4000-8000-00000000000a';
const BOB = 'a1b2c3d4-0000-4000-8000-00000000000b';

/** A batch of source hr: each row with the directory entry it was read from (none: a file's row). */
function batchOf(rows: readonly (readonly [key: string, entry: string | undefined])[], complete: boolean, problems: readonly SourceProblem[] = []): SourceBatch {
  return {
    sourceId: 'hr', complete, problems, rowsRead: rows.length + problems.length,
    records: rows.map(([key, entry], i) => ({ key, attributes: person(key), line: i + 1, ...(entry === undefined ? {} : { entry }) })),
  };
}

/** Respell, then merge (as engine/respelled-keys.ts and engine.ts do), over `identities`. */
function ingest(batch: SourceBatch, identities: readonly Identity[], now = NOW) {
  const existing = new Map(identities.map((i) => [i.id, i]));
  const respelling = respellKeys({ batch, existing, stored: identities });
  return { respelling, merged: mergeBatch({ batch: respelling.batch, existing, source: testSource(), lifecycle: testLifecycle(), now }) };
}

/** Ada, E7, stored from entry ADA (or with no entry: stored before Roster kept it), and Alan, E2. */
function stored(adaEntry: string | undefined): Identity[] {
  const { merged } = ingest(batchOf([['E7', adaEntry], ['E2', undefined]], true), [], T0);
  return [...merged.upserts];
}

describe('a key respelled in letter case from another directory entry (review 20)', () => {
  it('the merge keeps the entry a record was read from', () => {
    expect(stored(ADA).find((i) => i.id === 'E7')).toMatchObject({ sourceEntry: ADA });
    expect(stored(ADA).find((i) => i.id === 'E2')?.sourceEntry).toBeUndefined();
  });

  it('from the same entry: the stored person respelled, as before', () => {
    const { respelling, merged } = ingest(batchOf([['e7', ADA], ['E2', undefined]], true), stored(ADA));
    expect(respelling.batch.records.map((r) => r.key)).toEqual(['E7', 'E2']);
    expect(merged).toMatchObject({ created: 0, missing: [] });
  });

  it('from another entry (a snapshot): a new person, and the stored one missing; a warning says why', () => {
    const { respelling, merged } = ingest(batchOf([['e7', BOB], ['E2', undefined]], true), stored(ADA));
    expect(respelling.batch.records.map((r) => r.key)).toEqual(['e7', 'E2']);
    expect(respelling.diagnostics).toEqual([expect.objectContaining({
      code: 'source.key_respelled', key: 'e7', storedKeys: ['E7'], line: 1, message: expect.stringContaining('another directory entry'),
    })]);
    expect(merged.created).toBe(1);
    expect(merged.missing).toEqual(['E7']);
    expect(merged.upserts.find((i) => i.id === 'e7')).toMatchObject({ sourceEntry: BOB, attributes: { employeeId: 'e7' } });
    expect(merged.events.filter((e) => e.identityId === 'E7').map((e) => e.kind)).toEqual(['missing']);
  });

  it('from another entry (a delta): a joiner; the stored person untouched', () => {
    const { respelling, merged } = ingest(batchOf([['e7', BOB]], false), stored(ADA));
    expect(respelling.batch.records.map((r) => r.key)).toEqual(['e7']);
    expect(merged.upserts.map((i) => i.id)).toEqual(['e7']);
    expect(merged.events.map((e) => `${e.kind} ${e.identityId}`)).toEqual(['joiner e7']);
  });

  it('a problem row of another entry does not keep the stored person from being missing', () => {
    const problem = { line: 1, key: 'e7', entry: BOB, message: 'a bad date' };
    const { merged } = ingest(batchOf([['E2', undefined]], true, [problem]), stored(ADA));
    expect(merged.missing).toEqual(['E7']);
    const own = ingest(batchOf([['E2', undefined]], true, [{ ...problem, entry: ADA }]), stored(ADA));
    expect(own.merged.missing).toEqual([]);
  });

  it('a gone key another entry held (a turned-down newcomer deleted) is not the person; one their own entry held is', () => {
    const gone = (entry: string) => ({ ...batchOf([], false), gone: ['e7'], goneEntries: { e7: entry } });
    expect(ingest(gone(BOB), stored(ADA)).merged.missing).toEqual([]);
    expect(ingest(gone(ADA), stored(ADA)).merged.missing).toEqual(['E7']);
  });

  it('an identity stored without an entry, or a record without one (a file), is compared by key alone, as before', () => {
    expect(ingest(batchOf([['e7', BOB], ['E2', undefined]], true), stored(undefined)).respelling.batch.records.map((r) => r.key)).toEqual(['E7', 'E2']);
    expect(ingest(batchOf([['e7', undefined], ['E2', undefined]], true), stored(ADA)).respelling.batch.records.map((r) => r.key)).toEqual(['E7', 'E2']);
  });

  it('an identity stored without an entry gets it at its next read, with no event', () => {
    const before = stored(undefined);
    const { merged } = ingest(batchOf([['E7', ADA], ['E2', undefined]], true), before);
    expect(merged).toMatchObject({ created: 0, changed: 0, unchanged: 2, events: [] });
    const ada = before.find((i) => i.id === 'E7')!;
    expect(merged.upserts).toEqual([{ ...ada, sourceEntry: ADA, version: ada.version + 1, updatedAt: NOW.toISOString() }]);
    // Read again from the same entry: nothing to write.
    expect(ingest(batchOf([['E7', ADA], ['E2', undefined]], true), merged.upserts.concat(before.filter((i) => i.id === 'E2'))).merged.upserts).toEqual([]);
  });
});
