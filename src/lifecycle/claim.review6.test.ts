import { describe, expect, it } from 'vitest';
import { person, testSource } from '../policy/test-config.js';
import { merge } from './merge-fixtures.js';

const T0 = new Date('2025-06-01T08:00:00.000Z');
const contractors = testSource({ id: 'contractors' });
const employees = testSource({ id: 'hr' });

/** A key in two HR files (merge.ts, claimOf): who keeps the person. */
describe('mergeBatch: a key that belongs to another source (review6)', () => {
  const live = merge([person('k1', { employmentType: 'contractor' })], { now: T0, source: contractors }).upserts[0]!;
  const left = merge([person('k1', { employmentType: 'contractor', status: 'terminated' })], { now: T0, source: contractors }).upserts[0]!;

  it('a live person in both files: a conflict, the row is ignored', () => {
    const result = merge([person('k1')], { existing: [live], complete: true, source: employees });
    expect(result.upserts).toEqual([]);
    expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([['error', 'source.key_conflict']]);
  });

  it('a row saying that a person active in another source left changes nothing, with a warning', () => {
    const result = merge([person('k1', { status: 'terminated', title: 'Other' })], { existing: [live], complete: true, source: employees });
    expect(result).toMatchObject({ upserts: [], unchanged: 1 });
    expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([['warning', 'source.key_conflict']]);
  });

  it('a leaver row for a leaver of another source stays quiet and changes nothing (no back and forth between files)', () => {
    const both = merge([person('k1', { status: 'terminated', title: 'Other' })], { existing: [left], complete: true, source: employees });
    expect(both).toMatchObject({ upserts: [], diagnostics: [], unchanged: 1 });
  });

  it('a live row takes over someone who left the other source: a rehire there, with the conversion', () => {
    const result = merge([person('k1')], { existing: [left], complete: true, source: employees });
    expect(result.upserts).toEqual([expect.objectContaining({ id: 'k1', sourceId: 'hr', state: 'active', version: 2 })]);
    expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([['info', 'source.key_transferred']]);
    expect(result.events.map((e) => e.kind)).toEqual(['rehire', 'mover', 'conversion']);
  });
});
