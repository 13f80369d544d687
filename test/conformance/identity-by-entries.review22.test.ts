import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { identity } from '../../src/store/testing/builders.js';
import { queryPlan, storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * IdentityStore.listByEntries (review 22): a directory source's identities by
 * the entry they were read from (Identity.sourceEntry). An incremental pass
 * that reads an entry under a key nobody has asks it whose entry that is (a
 * key change: engine/continued-keys.ts), on every pass with a joiner: an
 * index read (migration 0021), never the whole source.
 */
describe.each(storeBackEnds('roster-by-entries'))('identities by directory entry (review 22): $name', (backEnd) => {
  const { store, opened } = useOpenedStore(backEnd);
  const entry = (n: number) => `a1b2c3d4-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('finds the source\'s identities with those entries, only that source\'s, in id order', async () => {
    await store().identities.upsertMany([
      identity('E9', { sourceId: 'corp', sourceEntry: entry(1) }),
      identity('E2', { sourceId: 'corp', sourceEntry: entry(2) }),
      identity('E3', { sourceId: 'corp', sourceEntry: entry(3) }),
      identity('X1', { sourceId: 'other', sourceEntry: entry(1) }),
      identity('H1', { sourceId: 'corp' }),
    ]);
    const found = await opened().second().then((other) => other.identities.listByEntries({ sourceId: 'corp', entries: [entry(1), entry(2), entry(1), entry(7)] }));
    expect(found.map((i) => [i.id, i.sourceEntry])).toEqual([['E2', entry(2)], ['E9', entry(1)]]);
    expect(await store().identities.listByEntries({ sourceId: 'corp', entries: [] })).toEqual([]);
  });

  it('reads through the (source_id, source_entry) index', async () => {
    const db = opened().db;
    if (store().dialect === 'sqlite') {
      const plan = await queryPlan(opened(), db.selectFrom('roster_identities').selectAll().where('source_id', '=', 'corp').where('source_entry', 'in', [entry(1), entry(2)]));
      expect(plan).toContain('roster_identities_entry');
    } else {
      const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = 'roster_identities_entry'`.execute(db);
      expect(rows[0]?.indexdef).toMatch(/\(source_id, source_entry\)/);
    }
  });
});
