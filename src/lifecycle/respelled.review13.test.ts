import { describe, expect, it } from 'vitest';
import type { Identity, SourceBatch } from '../core/types.js';
import { NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { mergeBatch } from './merge.js';
import { batchOf, company, merge } from './merge-fixtures.js';
import { foldKey, KEY_RESPELLED, respellKeys, type RespelledDiagnostic } from './respelled.js';

const T0 = new Date('2026-03-01T08:00:00.000Z');
const NFC = 'Jos\u00e9';
const NFD = 'Jose\u0301';

/** Stored identities of source hr made from these keys. */
const stored = (...keys: string[]): Identity[] => [...merge(keys.map((k) => person(k)), { now: T0 }).upserts];

/** respellKeys as engine.ts calls it for a snapshot: `existing` is every stored identity. */
function respell(batch: SourceBatch, identities: readonly Identity[]) {
  return respellKeys({ batch, existing: new Map(identities.map((i) => [i.id, i])), stored: identities });
}

/** Respell, then merge the result (as engine/respelled-keys.ts and engine.ts do). */
function ingest(batch: SourceBatch, identities: readonly Identity[]) {
  const respelling = respell(batch, identities);
  const existing = new Map(identities.map((i) => [i.id, i]));
  const merged = mergeBatch({ batch: respelling.batch, existing, source: testSource(), lifecycle: testLifecycle(), now: NOW });
  return { respelling, merged };
}

describe('foldKey (review13)', () => {
  it('folds letter case and Unicode normalisation form, nothing else', () => {
    expect(foldKey('E5')).toBe(foldKey('e5'));
    expect(foldKey(NFD)).toBe(foldKey(NFC));
    expect(foldKey('JOSE\u0301')).toBe(foldKey(NFC));
    expect(foldKey('E5')).not.toBe(foldKey('E 5'));
    expect(foldKey('E5')).not.toBe(foldKey('E05'));
  });
});

describe('a key respelled in letter case or Unicode form (review13)', () => {
  it('takes e5 as the stored E5 in a snapshot: no joiner, nobody missing, a warning with both spellings and the line', () => {
    const { identities } = company(4, T0); // e0..e3
    const upper = stored('E5');
    const all = [...identities, ...upper];
    const rows = [...identities.map((i) => person(i.id)), person('e5', { title: 'Lead' })];
    const { respelling, merged } = ingest(batchOf(rows, { complete: true }), all);
    expect(respelling.batch.records.map((r) => r.key)).toEqual(['e0', 'e1', 'e2', 'e3', 'E5']);
    expect(respelling.matched.map((i) => i.id)).toEqual(['E5']);
    const [warning] = respelling.diagnostics as RespelledDiagnostic[];
    expect(respelling.diagnostics).toHaveLength(1);
    expect(warning).toMatchObject({ severity: 'warning', code: KEY_RESPELLED, source: 'hr', key: 'e5', storedKey: 'E5', line: 6, identity: 'E5' });
    expect(warning!.message).toContain('"e5" (line 6) is stored as "E5"');
    expect(merged).toMatchObject({ created: 0, changed: 1, missing: [] });
    expect(merged.upserts.map((i) => [i.id, i.version, i.attributes.title])).toEqual([['E5', 2, 'Lead']]);
    expect(merged.events.map((e) => e.kind)).not.toContain('joiner');
  });

  it('takes a decomposed (NFD) key as the composed (NFC) one stored, and the other way round', () => {
    const composed = stored(NFC);
    const one = ingest(batchOf([person(NFD)], { complete: true }), composed);
    expect(one.respelling.batch.records[0]!.key).toBe(NFC);
    expect(one.respelling.diagnostics[0]!.message).toContain('written decomposed, NFD');
    expect(one.merged).toMatchObject({ created: 0, missing: [] });
    const decomposed = stored(NFD);
    const other = ingest(batchOf([person(NFC)], { complete: true }), decomposed);
    expect(other.respelling.batch.records[0]!.key).toBe(NFD);
    expect(other.merged).toMatchObject({ created: 0, missing: [] });
  });

  it('leaves a batch with only exact keys alone (the same object, no warning)', () => {
    const identities = stored('E5', 'E6');
    const batch = batchOf([person('E5'), person('E6')], { complete: true });
    const respelling = respell(batch, identities);
    expect(respelling.batch).toBe(batch);
    expect(respelling.diagnostics).toEqual([]);
  });

  it('never merges two stored identities that fold alike: E5 and e5 stored, E5 in the batch is E5 and e5 is gone as before', () => {
    const identities = stored('E5', 'e5', 'E6', 'E7', 'E8', 'E9');
    const { respelling, merged } = ingest(batchOf(['E5', 'E6', 'E7', 'E8', 'E9'].map((k) => person(k)), { complete: true }), identities);
    expect(respelling.diagnostics).toEqual([]);
    expect(merged.missing).toEqual(['e5']);
  });

  it('never merges when the new spelling folds to two stored identities: the row is a new person, with an ambiguity warning', () => {
    const identities = stored('Ab', 'aB');
    const { respelling, merged } = ingest(batchOf([person('AB')]), identities);
    expect(respelling.batch.records[0]!.key).toBe('AB');
    expect(respelling.diagnostics).toMatchObject([{ code: KEY_RESPELLED, key: 'AB', storedKeys: ['Ab', 'aB'] }]);
    expect(respelling.diagnostics[0]!.message).toContain('ambiguous');
    expect(merged.created).toBe(1);
  });

  it('does not take a row as a stored identity another row of the batch has exactly, and says it is ambiguous', () => {
    const identities = stored('E5');
    const { respelling, merged } = ingest(batchOf([person('E5'), person('e5')], { complete: true }), identities);
    expect(respelling.batch.records.map((r) => r.key)).toEqual(['E5', 'e5']);
    expect(respelling.diagnostics).toEqual([expect.objectContaining({ code: 'source.key_respelled', key: 'e5', storedKeys: ['E5'] })]);
    expect(respelling.diagnostics[0]!.message).toContain('ambiguous');
    expect(merged.created).toBe(1);
  });

  it('does not take a row as a stored identity a problem row of the batch has exactly', () => {
    const identities = stored('E5');
    const batch = batchOf([person('e5')], { complete: true, problems: [{ line: 9, key: 'E5', message: 'bad row' }] });
    expect(respell(batch, identities).batch.records[0]!.key).toBe('e5');
  });

  it('takes neither of two spellings of one stored key in one batch, and warns of both', () => {
    const identities = stored('E5');
    const respelling = respell(batchOf([person('e5'), person('e5')]), identities);
    // The same spelling twice is one key (the merge reports the duplicate): it is taken.
    expect(respelling.batch.records.map((r) => r.key)).toEqual(['E5', 'E5']);
    const composed = stored(`${NFC}1`);
    const twice = respell(batchOf([person(`${NFD}1`), person(`jos\u00e91`)]), composed);
    expect(twice.batch.records.map((r) => r.key)).toEqual([`${NFD}1`, `jos\u00e91`]);
    expect(twice.matched).toEqual([]);
    expect(twice.diagnostics.map((d) => [d.key, d.storedKeys])).toEqual([[`${NFD}1`, [`${NFC}1`]], [`jos\u00e91`, [`${NFC}1`]]]);
  });

  it('never matches a key of another source', () => {
    const theirs = stored('E5').map((i) => ({ ...i, sourceId: 'contractors' }));
    const respelling = respell(batchOf([person('e5')]), theirs);
    expect(respelling.batch.records[0]!.key).toBe('e5');
    expect(respelling.diagnostics).toEqual([]);
  });

  it('finds the stored identity for a delta of one record, looked up by its key only (existing empty, stored from the source list)', () => {
    const identities = stored('E5', 'E6');
    const batch = batchOf([{ employeeId: 'e5', title: 'Lead' }]);
    const respelling = respellKeys({ batch, existing: new Map(), stored: identities });
    expect(respelling.matched.map((i) => i.id)).toEqual(['E5']);
    const existing = new Map(respelling.matched.map((i) => [i.id, i]));
    const merged = mergeBatch({ batch: respelling.batch, existing, source: testSource({ complete: false }), lifecycle: testLifecycle(), now: NOW });
    expect(merged).toMatchObject({ created: 0, changed: 1 });
    // The delta is laid over what is stored: the family name it did not carry is kept.
    expect(merged.upserts[0]).toMatchObject({ id: 'E5', attributes: { familyName: 'Doe', title: 'Lead', employeeId: 'e5' } });
  });

  it('a delta reporting gone a respelled key (an ad or syncrepl cursor kept E7) makes the stored e7 gone, under maxMissing', () => {
    const identities = stored('e7', 'E1', 'E2', 'E3', 'E4');
    const batch: SourceBatch = { ...batchOf([]), gone: ['E7'] };
    const respelling = respell(batch, identities);
    expect(respelling.batch.gone).toEqual(['e7']);
    expect(respelling.diagnostics).toEqual([]);
    const merged = mergeBatch({
      batch: respelling.batch, existing: new Map(identities.map((i) => [i.id, i])), source: testSource({ complete: true }), lifecycle: testLifecycle(), now: NOW,
    });
    expect(merged.missing).toEqual(['e7']);
    // Two stored identities folding alike: neither is taken as gone.
    const both = stored('Ab', 'aB', 'E1', 'E2', 'E3', 'E4');
    const gone = { ...batchOf([]), gone: ['AB'] };
    expect(respell(gone, both).batch).toBe(gone);
  });
});
