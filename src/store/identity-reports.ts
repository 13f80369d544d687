import { sql, type RawBuilder } from 'kysely';
import type { StoreContext } from './context.js';
import { readSerial } from './serial.js';

/** Names per `in (...)` list, well under both dialects' limits. */
const IN_CHUNK = 5_000;

/** A report IdentityStore.listReports found: who, and the name their manager field holds. */
export interface Report {
  readonly id: string;
  readonly sourceId: string;
  readonly manager: string;
}

/** What IdentityStore.listReports is asked. */
export interface ReportsQuery {
  /** The names a report's manager field may hold (managers' ids and keys). */
  readonly managers: readonly string[];
  /** Per source, the attribute holding the manager's name (SourceConfig.fields.manager); sources without one have no reports. */
  readonly fields: ReadonlyMap<string, string>;
}

/**
 * IdentityStore.listReports: the identities whose manager field holds one of
 * `managers` (as a string), in id order. From the read cache when it holds everyone (an
 * HR push's own ingest leaves it so); else one read per source that
 * compares the field inside the stored attributes (no index: a scan, which
 * only a plan creating managers' accounts in a target reading
 * `managerAccount` asks for).
 */
export async function listReports(ctx: StoreContext, query: ReportsQuery): Promise<Report[]> {
  const names = new Set(query.managers);
  if (names.size === 0 || query.fields.size === 0) return [];
  const found: Report[] = [];
  const cached = ctx.cache.identities(await readSerial(ctx.db));
  if (cached !== undefined) {
    for (const identity of cached) {
      const field = query.fields.get(identity.sourceId);
      const manager = field === undefined ? undefined : identity.attributes[field];
      if (typeof manager === 'string' && names.has(manager)) found.push({ id: identity.id, sourceId: identity.sourceId, manager });
    }
    return inIdOrder(found);
  }
  const wanted = [...names];
  for (const [sourceId, field] of query.fields) {
    // The field's value where it is a string (a number the JSON holds is no name, as in planning's managerOf).
    // SQLite's json_extract gives a JSON number as a number, which equals no text; its path names the key
    // quoted, so dots and spaces stay in it. PostgreSQL's ->> gives every value as text: the type is checked.
    const value = ctx.dialect === 'postgres'
      ? sql<string>`(case when json_typeof(attributes::json -> ${field}) = 'string' then attributes::json ->> ${field} end)`
      : sql<string>`json_extract(attributes, ${jsonPathOf(field)})`;
    for (let i = 0; i < wanted.length; i += IN_CHUNK) {
      let rows = ctx.db.selectFrom('roster_identities').select(['id', value.as('manager')]).where('source_id', '=', sourceId);
      if (wanted.length <= MAX_PREFILTERED) rows = rows.where(mentionsAny(ctx.dialect, wanted));
      rows = rows.where(value, 'in', wanted.slice(i, i + IN_CHUNK));
      for (const row of await rows.execute()) found.push({ id: row.id, sourceId, manager: row.manager });
    }
  }
  return inIdOrder(found);
}

/**
 * Most names looked for by their text first: a row whose attributes' JSON
 * holds none of the names as a JSON string (as toJson writes it, and a name
 * there is always written so) cannot name one, and a text search is far
 * cheaper than parsing every row's JSON (PostgreSQL: 0.45 s for 100,000).
 */
const MAX_PREFILTERED = 64;

function mentionsAny(dialect: StoreContext['dialect'], names: readonly string[]): RawBuilder<boolean> {
  const mentions = names.map((name) => dialect === 'postgres'
    ? sql`strpos(attributes, ${JSON.stringify(name)}) > 0`
    : sql`instr(attributes, ${JSON.stringify(name)}) > 0`);
  return sql<boolean>`(${sql.join(mentions, sql` or `)})`;
}

const inIdOrder = (reports: Report[]): Report[] => reports.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** SQLite's JSON path of an object key: `$."key"`, with `"` and `\` escaped as in a JSON string. */
function jsonPathOf(field: string): string {
  return `$.${JSON.stringify(field)}`;
}
