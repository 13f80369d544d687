import { describe, expect, it } from 'vitest';
import type { Attributes, Identity, IdentityKey } from '../core/types.js';
import { NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { continueKeys } from './continued.js';
import { batchOf, seed } from './merge-fixtures.js';
import { mergeBatch, type MergeResult } from './merge.js';
import { effectiveState } from './state.js';

const source = testSource({
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId', previousKey: 'previousEmployeeId' },
});
const HIRED = new Date('2024-01-15T08:00:00.000Z');
const LEFT = new Date('2025-06-30T08:00:00.000Z');

/** E100 hired in 2024, terminated in June 2025: stored as the merge left them. */
function leaver(id = 'E100'): Identity {
  const hired = seed(person(id), HIRED);
  const left = merge([person(id, { status: 'terminated', endDate: '2025-06-30' })], { existing: [hired], now: LEFT });
  return left.upserts[0]!;
}

const back = (key: string, previous: string, extra: Attributes = {}): Attributes =>
  person(key, { previousEmployeeId: previous, startDate: '2026-03-01', givenName: 'Ada', ...extra });

function merge(rows: readonly Attributes[], options: {
  existing?: readonly Identity[]; keys?: readonly IdentityKey[]; complete?: boolean; now?: Date;
} = {}): MergeResult {
  const now = options.now ?? NOW;
  const existing = new Map((options.existing ?? []).map((i) => [i.id, i]));
  const continuation = continueKeys({
    batch: batchOf(rows, { complete: options.complete }), existing,
    keys: new Map((options.keys ?? []).map((k) => [k.key, k])), source, lifecycle: testLifecycle(), now,
  });
  return mergeBatch({ batch: continuation.batch, existing, source, lifecycle: testLifecycle(), now, continuation });
}

const codes = (result: MergeResult) => result.diagnostics.map((d) => `${d.severity} ${d.code}`);

/** The stored state after E200 continued E100, as plain objects: the identity (id E100, E200's row) and its key rows. */
function continued(): { identity: Identity; keys: readonly IdentityKey[] } {
  const { endAt: _left, ...before } = leaver();
  const identity: Identity = { ...before, attributes: back('E200', 'E100'), state: 'active', startAt: '2026-03-01T00:00:00.000Z', version: before.version + 1 };
  const recordedAt = '2026-03-02T00:00:00.000Z';
  return { identity, keys: [
    { key: 'E200', identityId: 'E100', sourceId: 'hr', current: true, recordedAt },
    { key: 'E100', identityId: 'E100', sourceId: 'hr', current: false, recordedAt },
  ] };
}

describe('continueKeys + mergeBatch: a rehire under a new key (fields.previousKey)', () => {
  it('a new key naming a terminated identity continues it: same id, the new key current, the old one kept, a rehire', () => {
    const before = leaver();
    const result = merge([back('E200', 'E100')], { existing: [before] });
    expect(result.created).toBe(0);
    expect(result.upserts).toHaveLength(1);
    const after = result.upserts[0]!;
    expect(after).toMatchObject({ id: 'E100', state: 'active', version: before.version + 1, createdAt: before.createdAt });
    expect(after.attributes.employeeId).toBe('E200');
    expect(effectiveState(after, NOW)).toBe('active');
    expect(result.events[0]).toEqual(expect.objectContaining({
      kind: 'rehire', identityId: 'E100', reasons: ['rehire', 'rehire.new_key'], changes: { key: { before: 'E100', after: 'E200' } },
      effectiveAt: NOW.toISOString(), // a start already past: the rehire is effective as it is read (events.ts startEffective)
    }));
    // The other columns that changed are a mover, as for anyone; the key columns are the rehire's, not a mover's.
    expect(result.events.slice(1).map((e) => e.reasons)).toEqual([['mover.email', 'mover.givenName']]);
    expect(result.keys.map((k) => [k.key, k.identityId, k.current])).toEqual([['E200', 'E100', true], ['E100', 'E100', false]]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'info', code: 'source.key_continued', identity: 'E100' })]);
    expect(result.diagnostics[0]!.message).toContain('line 2');
  });

  it('someone gone from the snapshot (missing) is continued too, as a rehire (not "returned")', () => {
    const hired = seed(person('E100'), HIRED);
    const gone = merge([person('E9')], { existing: [hired], complete: true, now: LEFT }); // E100 missing from the file
    const missing = gone.upserts.find((i) => i.id === 'E100')!;
    expect(missing.missingSince).toBeDefined();
    const result = merge([back('E200', 'E100')], { existing: [missing] });
    expect(result.upserts[0]).toMatchObject({ id: 'E100', state: 'active' });
    expect(result.upserts[0]!.missingSince).toBeUndefined();
    expect(result.events.map((e) => e.kind)).toEqual(['rehire', 'mover']);
  });

  it('the old key gone from a complete snapshot does not make the continued person a leaver', () => {
    const { identity, keys } = continued();
    const result = merge([back('E200', 'E100'), person('E9')], { existing: [identity, seed(person('E9'), HIRED)], keys, complete: true });
    expect(result.missing).toEqual([]);
    expect(result.upserts).toEqual([]);
    expect(result.unchanged).toBe(2);
  });

  it('a later row still written with the old key (the old row HR exports keep) changes nothing and says so with its line', () => {
    const { identity, keys } = continued();
    const others = [seed(person('E9'), HIRED), seed(person('E8'), HIRED)];
    const result = merge([person('E9'), person('E8'), person('E100', { status: 'terminated', endDate: '2025-06-30' }), identity.attributes],
      { existing: [identity, ...others], keys, complete: true });
    expect(result.upserts).toEqual([]);
    expect(result.events).toEqual([]);
    expect(result.missing).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'info', code: 'source.key_superseded', identity: 'E100' })]);
    expect(result.diagnostics[0]!.message).toMatch(/line 4: key E100 is a former key of identity E100, continued as E200/);
  });

  it('the old row beside the new one in the same read is left out: no duplicate, the new row is the person', () => {
    const result = merge([person('E100', { status: 'terminated', endDate: '2025-06-30' }), back('E200', 'E100')], { existing: [leaver()], complete: true });
    expect(result.upserts.map((i) => [i.id, i.attributes.employeeId, i.state])).toEqual([['E100', 'E200', 'active']]);
    expect(codes(result)).toEqual(['info source.key_superseded', 'info source.key_continued']);
  });

  it('a delta (a push) with the new key updates the continued identity', () => {
    const { identity, keys } = continued();
    const result = merge([back('E200', 'E100', { department: 'Sales' })], { existing: [identity], keys });
    expect(result.upserts.map((i) => [i.id, i.attributes.department])).toEqual([['E100', 'Sales']]);
    expect(result.events.map((e) => e.reasons)).toEqual([['mover.department']]);
  });

  it('a previous key naming someone still at work is refused: an error naming the line, the row skipped, nobody changed', () => {
    const working = seed(person('E100'), HIRED);
    const result = merge([person('E5'), back('E200', 'E100')], { existing: [working] });
    expect(result.upserts.map((i) => i.id)).toEqual(['E5']);
    expect(result.created).toBe(1);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'source.previous_key_active', identity: 'E200' })]);
    expect(result.diagnostics[0]!.message).toMatch(/hr line 3: key E200 names E100 .* still active/);
  });

  it('two rows naming the same previous key are both refused, and neither is continued nor created', () => {
    const result = merge([back('E200', 'E100'), back('E300', 'E100')], { existing: [leaver()] });
    expect(result.upserts).toEqual([]);
    expect(result.keys).toEqual([]);
    expect(codes(result)).toEqual(['error source.previous_key_ambiguous', 'error source.previous_key_ambiguous']);
    expect(result.diagnostics[0]!.message).toMatch(/line 2: key E200 .* so do E300 \(line 3\)/);
    expect(result.diagnostics[1]!.message).toMatch(/line 3: key E300 .* so do E200 \(line 2\)/);
  });

  it('a previous key naming the row itself, or nobody known, is a warning: the row is a new person', () => {
    const self = merge([back('E200', 'E200')]);
    expect(self.created).toBe(1);
    expect(self.events.map((e) => e.kind)).toEqual(['joiner']);
    expect(self.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'source.previous_key_ignored' })]);
    expect(self.diagnostics[0]!.message).toMatch(/line 2: .*its own key/);
    const unknown = merge([back('E200', 'X1')], { existing: [leaver()] });
    expect(unknown.upserts.map((i) => i.id)).toEqual(['E200']);
    expect(unknown.diagnostics[0]).toMatchObject({ severity: 'warning', code: 'source.previous_key_ignored' });
    expect(unknown.diagnostics[0]!.message).toMatch(/X1 as its previous key, a key no identity of source hr has/);
  });

  it('a previous key already continued by another key is refused', () => {
    const { identity, keys } = continued();
    const terminated = merge([back('E200', 'E100', { status: 'terminated', endDate: '2026-03-05' })], { existing: [identity], keys }).upserts[0]!;
    const result = merge([back('E300', 'E100')], { existing: [terminated], keys });
    expect(result.upserts).toEqual([]);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', code: 'source.previous_key_ambiguous' });
    expect(result.diagnostics[0]!.message).toMatch(/E100 was continued as E200 already/);
    // Naming the current key continues again (a second rehire): the first key stays a former key.
    const again = merge([back('E300', 'E200')], { existing: [terminated], keys });
    expect(again.upserts[0]).toMatchObject({ id: 'E100', state: 'active' });
    expect(again.keys.map((k) => [k.key, k.current])).toEqual([['E300', true], ['E200', false], ['E100', false]]);
  });

  it('the read\'s own row of the named person saying they work contests the continuation', () => {
    const result = merge([person('E100'), back('E200', 'E100')], { existing: [leaver()] });
    expect(result.upserts.map((i) => [i.id, i.attributes.employeeId])).toEqual([['E100', 'E100']]);
    expect(result.diagnostics.map((d) => d.code)).toContain('source.previous_key_ambiguous');
  });

  it('a source without previousKey and without stored keys is left as it is (the same batch object)', () => {
    const batch = batchOf([person('E1')]);
    const out = continueKeys({ batch, existing: new Map(), keys: new Map(), source: testSource(), lifecycle: testLifecycle(), now: NOW });
    expect(out.batch).toBe(batch);
  });
});
