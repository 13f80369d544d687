import { sql } from 'kysely';
import type { Db, Dialect } from './context.js';
import type { DateSpan } from './types.js';

const COLUMN = { start: 'start_at', end: 'end_at' } as const;

/**
 * The ids of identities whose start or end date falls in one of the spans
 * (after < date <= through), in id order, each once: one statement, each span
 * a range scan of the date's index (migration 0010), which holds the id too.
 * Dates compare as text, byte-wise on both back ends (PostgreSQL through
 * `collate "C"`, as the index is built): the order of their instants for the
 * dates Roster writes (toISOString, years 0000-9999; see DateSpan).
 * Undefined when no span can hold a date (nothing to read).
 */
export function datedInQuery(db: Db, dialect: Dialect, spans: readonly DateSpan[]) {
  const [first, ...rest] = spans.filter((span) => span.after < span.through);
  if (first === undefined) return undefined;
  const inSpan = (span: DateSpan) => {
    const column = sql.ref(COLUMN[span.date]);
    const text = dialect === 'postgres' ? sql<string>`${column} collate "C"` : sql<string>`${column}`;
    return db.selectFrom('roster_identities').select('id')
      .where(text, '>', span.after).where(text, '<=', span.through);
  };
  let query = inSpan(first);
  for (const span of rest) query = query.union(inSpan(span));
  return query.orderBy('id');
}

/** Runs datedInQuery: the ids, or none without a query when no span can hold a date. */
export async function listIdsDatedIn(db: Db, dialect: Dialect, spans: readonly DateSpan[]): Promise<string[]> {
  const query = datedInQuery(db, dialect, spans);
  if (query === undefined) return [];
  const rows = await query.execute();
  return rows.map((row) => row.id);
}
