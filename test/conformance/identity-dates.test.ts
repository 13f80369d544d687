import { sql, type Compilable } from 'kysely';
import { describe, expect, it } from 'vitest';
import { datedInQuery } from '../../src/store/identity-dates.js';
import { migrations } from '../../src/store/migrations.js';
import { identity } from '../../src/store/testing/builders.js';
import type { DateSpan } from '../../src/store/types.js';
import { queryPlan, storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * IdentityStore.listIdsDatedIn, the scheduler's due check (engine/due.ts):
 * ids whose start or end date falls in half-open spans (after, through], on
 * every back end, through the date indexes of migration 0010, never a read of
 * every identity.
 */
const SINCE = '2026-03-01T08:59:00.000Z';
const NOW = '2026-03-01T09:00:00.000Z';
const ms = (iso: string, plus: number): string => new Date(Date.parse(iso) + plus).toISOString();
const starts: DateSpan = { date: 'start', after: SINCE, through: NOW };
const ends: DateSpan = { date: 'end', after: SINCE, through: NOW };

describe.each(storeBackEnds('roster-dates'))('identities by date: $name', (backEnd) => {
  const { opened, store } = useOpenedStore(backEnd);

  async function seed(): Promise<void> {
    await store().identities.upsertMany([
      identity('at-since', { startAt: SINCE, endAt: SINCE }), // exactly at since: not in (since, now]
      identity('after-since', { startAt: ms(SINCE, 1) }),
      identity('at-now', { startAt: NOW }),
      identity('past-now', { startAt: ms(NOW, 1), endAt: ms(NOW, 1) }),
      identity('ends-at-now', { startAt: '2020-01-01T00:00:00.000Z', endAt: NOW }),
      identity('both', { startAt: ms(SINCE, 30_000), endAt: NOW }),
      identity('no-dates'),
      identity('a-later', { endAt: '2026-04-01T09:00:00.000Z' }),
    ]);
  }

  it('finds the dates in (after, through]: at `after` not, one ms past it and at `through` yes; each id once, in id order', async () => {
    await seed();
    expect(await store().identities.listIdsDatedIn([starts])).toEqual(['after-since', 'at-now', 'both']);
    expect(await store().identities.listIdsDatedIn([ends])).toEqual(['both', 'ends-at-now']);
    expect(await store().identities.listIdsDatedIn([starts, ends])).toEqual(['after-since', 'at-now', 'both', 'ends-at-now']);
    // Several spans of one date; a span below every date ('' as after) holds them all up to its end.
    const later: DateSpan = { date: 'end', after: '2026-03-31T09:00:00.000Z', through: '2026-04-01T09:00:00.000Z' };
    expect(await store().identities.listIdsDatedIn([ends, later, ends])).toEqual(['a-later', 'both', 'ends-at-now']);
    expect(await store().identities.listIdsDatedIn([{ date: 'start', after: '', through: SINCE }])).toEqual(['at-since', 'ends-at-now']);
  });

  it('finds nobody for no spans, empty spans, or spans no date falls in; people without dates never', async () => {
    await seed();
    expect(await store().identities.listIdsDatedIn([])).toEqual([]);
    expect(await store().identities.listIdsDatedIn([{ date: 'start', after: NOW, through: NOW }, { date: 'end', after: NOW, through: SINCE }])).toEqual([]);
    expect(await store().identities.listIdsDatedIn([{ date: 'start', after: '2030-01-01T00:00:00.000Z', through: '2031-01-01T00:00:00.000Z' }])).toEqual([]);
    const everything = await store().identities.listIdsDatedIn([{ date: 'start', after: '', through: '9999-12-31T23:59:59.999Z' }, { date: 'end', after: '', through: '9999-12-31T23:59:59.999Z' }]);
    expect(everything).not.toContain('no-dates');
    expect(everything).toHaveLength(7);
  });

  it('sees a date that moved: the span of its new value finds it, the old one no longer', async () => {
    await seed();
    await store().identities.upsertMany([identity('at-now', { startAt: '2026-05-01T00:00:00.000Z', version: 2 })]);
    expect(await store().identities.listIdsDatedIn([starts])).toEqual(['after-since', 'both']);
    expect(await store().identities.listIdsDatedIn([{ date: 'start', after: '2026-04-30T23:59:59.999Z', through: '2026-05-01T00:00:00.000Z' }])).toEqual(['at-now']);
  });

  const planOf = (query: Compilable): Promise<string> => queryPlan(opened(), query);

  /** 20,000 people, a day's starts apart, one in ten with an end date: a scan would cost. */
  const PEOPLE_SQL = sql`
    with recursive c(i) as (select 1 union all select i + 1 from c where i < 20000)
    insert into roster_identities (id, source_id, attributes, state, start_at, end_at, version, created_at, updated_at)
    select 'P' || i, 'hr', '{}', 'active', '2000-01-01T00:00:00.000Z', case when i % 10 = 0 then '2001-01-01T00:00:00.000Z' end,
      1, '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z' from c`;

  it('reads the date indexes of 0010 (the id comes from the index), not every identity; 0010 runs again harmlessly', async () => {
    await sql`${PEOPLE_SQL}`.execute(opened().db);
    await seed();
    if (store().dialect === 'postgres') await sql`analyze roster_identities`.execute(opened().db);
    const plan = await planOf(datedInQuery(opened().db, store().dialect, [starts, ends, { ...starts, after: ms(SINCE, 86_400_000), through: ms(NOW, 86_400_000) }])!);
    expect(plan).toContain('roster_identities_start');
    expect(plan).toContain('roster_identities_end');
    expect(plan).not.toMatch(store().dialect === 'sqlite' ? /SCAN roster_identities(?! USING)/ : /Seq Scan/);
    if (store().dialect === 'sqlite') expect(plan).toMatch(/COVERING INDEX roster_identities_start/);
    // A store rebuilt from its migration record runs 0010 again: nothing changes.
    await migrations(store().dialect)['0010_identity_dates']!.up(opened().db);
    expect(await store().identities.listIdsDatedIn([starts, ends])).toEqual(['after-since', 'at-now', 'both', 'ends-at-now']);
  });
});
