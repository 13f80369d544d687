import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import type { Identity, IdentityKey, SourceBatch, SourceProblem } from '../core/types.js';
import { identity, NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { continueKeys } from './continued.js';
import { mergeBatch, type MergeResult } from './merge.js';

const ADA = 'a1b2c3d4-0000-4000-8000-00000000000a';
const BOB = 'a1b2c3d4-0000-4000-8000-00000000000b';
const NEW = 'a1b2c3d4-0000-4000-8000-00000000000c';
const ldap = (overrides: Partial<SourceConfig> = {}): SourceConfig => testSource({ type: 'ldap', ...overrides });

/** Ada (E1029, entry ADA) and Bob (E2, entry BOB), as stored. */
function stored(overrides: Partial<Identity> = {}): Identity[] {
  return [identity('E1029', { sourceEntry: ADA, attributes: person('E1029', { email: 'jane@example.com' }), ...overrides }), identity('E2', { sourceEntry: BOB, attributes: person('E2', { givenName: 'Bob' }) })];
}

function batchOf(rows: readonly (readonly [key: string, entry: string, extra?: Record<string, string>])[], complete: boolean, problems: SourceProblem[] = []): SourceBatch {
  return {
    sourceId: 'hr', complete, problems, rowsRead: rows.length,
    records: rows.map(([key, entry, extra], i) => ({ key, entry, line: i + 1, attributes: person(key, { givenName: entry === BOB ? 'Bob' : 'Jane', ...(entry === BOB ? {} : { email: 'jane@example.com' }), ...extra }) })),
  };
}

function ingest(batch: SourceBatch, existing: readonly Identity[], options: { source?: SourceConfig; keys?: readonly IdentityKey[] } = {}): MergeResult {
  const source = options.source ?? ldap();
  const byId = new Map(existing.map((i) => [i.id, i]));
  const continuation = continueKeys({ batch, existing: byId, keys: new Map((options.keys ?? []).map((k) => [k.key, k])), source, lifecycle: testLifecycle(), now: NOW });
  return mergeBatch({ batch: continuation.batch, existing: byId, source, lifecycle: testLifecycle(), now: NOW, continuation });
}

const kinds = (result: MergeResult) => result.events.map((e) => `${e.kind} ${e.identityId} ${e.reasons.join(',')}`);
const codes = (result: MergeResult) => result.diagnostics.map((d) => d.code);

describe('an entry whose key changed is the same person (keyChanges: follow)', () => {
  it('a snapshot: the identity continues under the new key, a mover identity.rekeyed, no joiner, nobody missing', () => {
    const result = ingest(batchOf([['E2029', ADA], ['E2', BOB]], true), stored());
    expect(result).toMatchObject({ created: 0, changed: 1, missing: [] });
    expect(result.upserts[0]).toMatchObject({ id: 'E1029', state: 'active', sourceEntry: ADA, attributes: { employeeId: 'E2029' } });
    expect(result.upserts[0]!.rehiredAt).toBeUndefined();
    expect(result.events).toEqual([expect.objectContaining({ kind: 'mover', identityId: 'E1029', reasons: ['identity.rekeyed'], changes: { key: { before: 'E1029', after: 'E2029' } } })]);
    expect(result.keys.map((k) => `${k.key}>${k.identityId} ${k.current}`)).toEqual(['E2029>E1029 true', 'E1029>E1029 false']);
    expect(codes(result)).toContain('source.key_rekeyed');
  });

  it('a delta (incremental pass): the same, no joiner', () => {
    const result = ingest(batchOf([['E2029', ADA, { title: 'Lead' }]], false), stored());
    expect(kinds(result)).toEqual(['mover E1029 identity.rekeyed', 'mover E1029 mover.title']);
    expect(result.created).toBe(0);
  });

  it('a delta reporting the old key gone (syncrepl, AD): not gone, since it is the person under the new key', () => {
    const batch = { ...batchOf([['E2029', ADA]], false), gone: ['E1029'], goneEntries: { E1029: ADA } };
    const result = ingest(batch, stored());
    expect(result.missing).toEqual([]);
    expect(kinds(result)).toEqual(['mover E1029 identity.rekeyed']);
  });

  it('a second change follows the current key (E1029 -> E2029 -> E3029); the old keys stay aliases', () => {
    const recordedAt = NOW.toISOString();
    const keys: IdentityKey[] = [
      { key: 'E2029', identityId: 'E1029', sourceId: 'hr', current: true, recordedAt },
      { key: 'E1029', identityId: 'E1029', sourceId: 'hr', current: false, recordedAt },
    ];
    const result = ingest(batchOf([['E3029', ADA], ['E2', BOB]], true), stored({ attributes: person('E2029', { email: 'jane@example.com' }) }), { keys });
    expect(result.events).toEqual([expect.objectContaining({ reasons: ['identity.rekeyed'], changes: { key: { before: 'E2029', after: 'E3029' } } })]);
    expect(result.missing).toEqual([]);
  });

  it('a terminated person whose key changes stays one terminated identity: no rehire, no joiner', () => {
    const left = stored({ state: 'terminated', endAt: '2025-12-31T00:00:00.000Z', attributes: person('E1029', { email: 'jane@example.com', status: 'terminated', endDate: '2025-12-31' }) });
    const result = ingest(batchOf([['E2029', ADA, { status: 'terminated', endDate: '2025-12-31' }], ['E2', BOB]], true), left);
    expect(kinds(result)).toEqual(['mover E1029 identity.rekeyed']);
    expect(result.upserts[0]).toMatchObject({ id: 'E1029', state: 'terminated' });
  });

  it('a working person is followed even with a previous key column (no previous_key_active); the entry wins over the column', () => {
    const source = ldap({ fields: { ...testSource().fields, previousKey: 'previousEmployeeId' } });
    const result = ingest(batchOf([['E2029', ADA, { previousEmployeeId: 'E2' }], ['E2', BOB]], true), stored(), { source });
    expect(kinds(result)).toEqual(['mover E1029 identity.rekeyed']);
    expect(codes(result)).not.toContain('source.previous_key_active');
    expect(result.missing).toEqual([]);
  });

  it('a swap of keys between two entries merges nobody: both rows held, nothing changes, nobody missing', () => {
    const result = ingest(batchOf([['E2', ADA], ['E1029', BOB]], true), stored());
    expect(result).toMatchObject({ created: 0, changed: 0, missing: [], events: [], upserts: [] });
    expect(codes(result).filter((c) => c === 'source.key_moved')).toHaveLength(2);
  });

  it('the old key taken by a new entry in the same pass: both rows held, no joiner, nobody missing', () => {
    const result = ingest(batchOf([['E2029', ADA], ['E1029', NEW], ['E2', BOB]], true), stored());
    expect(result).toMatchObject({ created: 0, changed: 0, missing: [], events: [] });
    expect(codes(result)).toContain('source.key_moved');
  });

  it('keyChanges: newPerson keeps the former reading: a joiner and a leaver', () => {
    const result = ingest(batchOf([['E2029', ADA], ['E2', BOB]], true), stored(), { source: ldap({ keyChanges: 'newPerson' }) });
    expect(result.created).toBe(1);
    expect(result.missing).toEqual(['E1029']);
  });

  it('a file source (no entries) is read by key as before', () => {
    const result = ingest({ ...batchOf([['E2029', ADA], ['E2', BOB]], true), records: [{ key: 'E2029', attributes: person('E2029'), line: 1 }, { key: 'E2', attributes: person('E2'), line: 2 }] }, stored());
    expect(result.created).toBe(1);
    expect(result.missing).toEqual(['E1029']);
  });
});

describe('a key respelled on its own entry is not a key change', () => {
  it('E1029 read as e1029 from the same entry: no continuation, no rekeyed event (respelled.ts takes it)', () => {
    const batch = batchOf([['e1029', ADA], ['E2', BOB]], true);
    const continuation = continueKeys({ batch, existing: new Map(stored().map((i) => [i.id, i])), keys: new Map(), source: ldap(), lifecycle: testLifecycle(), now: NOW });
    expect(continuation.continuations.size).toBe(0);
    expect(continuation.batch.records.map((r) => r.key)).toEqual(['e1029', 'E2']);
  });
});
