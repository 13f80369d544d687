import { CompiledQuery, sql } from 'kysely';
import { assertThat, RosterError } from '../core/errors.js';
import type { SqliteStatement, SqliteStatements } from './bulk.js';
import type { Db, Dialect, StoreContext } from './context.js';
import { isUniqueViolation } from './errors.js';
import type { ScimKeyset, ScimQuery, ScimResource, ScimStore, ScimWrite } from './types.js';

const TABLE = 'roster_scim_resources';
const SELECTED = ['resource_type', 'id', 'data', 'version', 'created_at', 'updated_at'] as const;
const SELECTED_SQL = SELECTED.join(', ');
/** Group membership kept beside the documents (migrations.ts, 0004_scim_members). */
const MEMBERS = 'roster_scim_members';
/** The resource type whose `members` the store indexes (RFC 7643 §4.2). */
const GROUP = 'Group';
/** Rows per membership insert or delete: one JSON parameter each. */
const MEMBER_ROWS_PER_STATEMENT = 10_000;
/** The unique index on (resource_type, lower(unique_name)); see migrations.ts. */
const NAME_INDEX = 'roster_scim_resources_name';

/**
 * Attributes the store keeps in columns. `id` and `meta` are not in `data`
 * at all, so a filter on them must read the columns. `userName` is the unique
 * name of Users, and only Users have it, so it maps to unique_name without
 * knowing the resource type, and `userName eq` hits the unique index. Groups'
 * displayName is deliberately not mapped: Users have a displayName too, which
 * is not their unique name, and mapping it would need the resource type; an
 * expression index serves `displayName eq` for both instead.
 * meta.version and meta.location are not stored: filters on them match nothing.
 */
const COLUMNS: ReadonlyMap<string, string> = new Map([
  ['id', 'id'],
  ['meta.created', 'created_at'],
  ['meta.lastModified', 'updated_at'],
  ['meta.resourceType', 'resource_type'],
  ['userName', 'unique_name'],
]);

/** Rows per PostgreSQL insert in createMany (one JSON parameter each). */
const PG_ROWS_PER_INSERT = 5_000;
/** Ids per `in (…)` list in getMany. */
const IN_CHUNK = 5_000;
const DEFAULT_PAGE = 1_000;
/**
 * Prepared SQLite statements kept by SQL text. Values are always bound, so
 * the texts are the filter shapes clients use (a handful per identity
 * provider); the bound keeps a client inventing shapes from growing it.
 */
const STATEMENT_CACHE_SIZE = 200;

interface SelectedRow {
  readonly resource_type: string;
  readonly id: string;
  readonly data: unknown;
  readonly version: number | string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A row of SELECTED read in raw mode (an array in SELECTED's order), as SelectedRow. */
function fromRawRow(row: readonly unknown[]): SelectedRow {
  const [resourceType, id, data, version, created, updated] = row as [string, string, string, number, string, string];
  return { resource_type: resourceType, id, data, version, created_at: created, updated_at: updated };
}

function fromRow(row: SelectedRow): ScimResource {
  // jsonb arrives parsed from pg; SQLite gives the JSON text.
  const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
  return {
    resourceType: row.resource_type,
    id: row.id,
    data: data as ScimResource['data'],
    version: Number(row.version),
    created: row.created_at,
    lastModified: row.updated_at,
  };
}

/** The `value`s of a Group's members (RFC 7643 §4.2) that are strings: what the membership table holds for it. */
export function memberIds(data: Readonly<Record<string, unknown>> | undefined): string[] {
  const members = data?.members;
  if (!Array.isArray(members)) return [];
  return members.flatMap((member: unknown) => {
    const value = typeof member === 'object' && member !== null ? (member as { value?: unknown }).value : undefined;
    return typeof value === 'string' ? [value] : [];
  });
}

/** JSON escapes PostgreSQL's jsonb and text refuse (NUL, unpaired surrogates); only a hit needs the exact check. */
const SUSPECT_ESCAPE = /\\u(?:0000|d[89a-f])/i;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  return Object.entries(value).some(([key, inner]) => UNSTORABLE.test(key) || hasUnstorableText(inner));
}

/**
 * The JSON text of `data`. Text PostgreSQL cannot hold is refused on both
 * back ends alike, so a resource never stores on one and fails on the other.
 */
function storedJson(write: ScimWrite): string {
  const json = JSON.stringify(write.data);
  if (UNSTORABLE.test(write.uniqueName) || (SUSPECT_ESCAPE.test(json) && hasUnstorableText(write.data))) {
    throw new RosterError('request.invalid', `${write.resourceType} ${write.id}: text with U+0000 or an unpaired surrogate cannot be stored`, {
      details: { scimType: 'invalidValue' },
    });
  }
  return json;
}

/**
 * A refused key as `store.conflict`, told apart by the driver's report: the
 * primary key (a taken id) or the unique index on the name. `write` names the
 * value; without it (a PostgreSQL batch) the database's own detail does.
 */
function asConflict(error: unknown, resourceType: string, write?: ScimWrite): unknown {
  if (!isUniqueViolation(error)) return error;
  const { code, constraint, detail } = error as { code?: string; constraint?: string; detail?: string };
  const onName = code === 'SQLITE_CONSTRAINT_UNIQUE' || constraint === NAME_INDEX;
  const message = write === undefined
    ? `a ${resourceType} in this batch is already taken${typeof detail === 'string' ? `: ${detail}` : ''}`
    : onName
      ? `a ${write.resourceType} named ${JSON.stringify(write.uniqueName)} already exists (names are compared case-insensitively)`
      : `${write.resourceType} ${JSON.stringify(write.id)} already exists`;
  return new RosterError('store.conflict', message, { cause: error, details: { scimType: 'uniqueness' } });
}

async function conflictAware<T>(resourceType: string, write: ScimWrite | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asConflict(error, resourceType, write);
  }
}

/** The page (or the count) a ScimQuery asks for, as the store runs it. Exported so tests can EXPLAIN exactly this. */
export function scimQuerySql(dialect: Dialect, query: ScimQuery, part: 'page' | 'count'): CompiledQuery {
  // The filter's placeholders come first ($1…$n on PostgreSQL, translated
  // with the default firstParam); the store's own follow, in text order, so
  // SQLite's positional `?` line up too.
  const params: unknown[] = [...(query.filter?.params ?? [])];
  const bind = (value: unknown): string => {
    params.push(value);
    return dialect === 'postgres' ? `$${params.length}` : '?';
  };
  const filter = query.filter === undefined ? '' : `(${query.filter.sql}) AND `;
  const from = ` FROM ${TABLE} WHERE ${filter}resource_type = ${bind(query.resourceType)}`;
  if (part === 'count') return CompiledQuery.raw(`SELECT count(*) AS n${from}`, params);
  const filtered = dialect === 'sqlite' && query.filter !== undefined;
  const order = orderBy(query.sort, filtered);
  const after = query.keyset?.after === undefined ? '' : ` AND ${afterKey(query.sort, filtered, query.keyset.after, bind)}`;
  // A keyset page also reads each row's sort value (column 6), for the key of the page's last row.
  const selected = query.keyset === undefined ? SELECTED_SQL : `${SELECTED_SQL}, ${query.sort?.sql ?? 'created_at'} AS sort_key`;
  // The limit is written into the text, checked to be a whole number: SQLite runs `LIMIT 100` in about half
  // the time of `LIMIT ?` bound to 100 (measured: 9 against 18 µs for a one-row page), and clients use few page sizes.
  assertThat(Number.isSafeInteger(query.limit) && query.limit >= 0, 'request.invalid', 'limit must be a whole number ≥ 0');
  return CompiledQuery.raw(`SELECT ${selected}${from}${after} ORDER BY ${order} LIMIT ${query.limit} OFFSET ${bind(query.offset)}`, params);
}

/**
 * Rows strictly after `key` in orderBy's order, so a keyset page goes on
 * where the last one stopped whatever was added or removed since. NULL sort
 * values come last ascending and first descending: after a NULL key come only
 * NULLs with a later id (ascending), or those and every non-NULL (descending).
 * The unsorted order (created, id) has no NULLs and is one row comparison,
 * which the (resource_type, created_at, id) index serves.
 */
function afterKey(sort: ScimQuery['sort'], filtered: boolean, key: ScimKeyset, bind: (value: unknown) => string): string {
  if (sort === undefined) {
    const columns = filtered ? '+created_at, +id' : 'created_at, id';
    return `(${columns}) > (${bind(key.sortValue)}, ${bind(key.id)})`;
  }
  const value = `(${sort.sql})`;
  const beyond = sort.descending ? '<' : '>';
  if (key.sortValue === null) {
    const nulls = `(${value} IS NULL AND id ${beyond} ${bind(key.id)})`;
    return sort.descending ? `(${value} IS NOT NULL OR ${nulls})` : nulls;
  }
  const later = `${value} ${beyond} ${bind(key.sortValue)} OR (${value} = ${bind(key.sortValue)} AND id ${beyond} ${bind(key.id)})`;
  return sort.descending ? `(${later})` : `(${later} OR ${value} IS NULL)`;
}

/** A keyset row's key: its sort value as the driver gave it (SQLite integers, PostgreSQL numeric as text) and its id. */
function keyOf(id: string, sortValue: unknown): ScimKeyset {
  return { sortValue: typeof sortValue === 'number' || typeof sortValue === 'string' ? sortValue : sortValue === null ? null : String(sortValue), id };
}

/**
 * RFC 7644 §3.4.2.3: resources without a value sort last ascending and first
 * descending (translateSort gives NULL for them; SQLite would put NULLs first).
 * The id breaks ties in the same direction, so descending is ascending reversed.
 *
 * `filtered`: SQLite without statistics walks the (resource_type, created_at,
 * id) index to skip the sort even when the filter has an index that finds a
 * few rows (`externalId eq` would read every row). A unary `+` (a no-op on
 * text) keeps that index out of the ORDER BY, so the filter's index wins.
 */
function orderBy(sort: ScimQuery['sort'], filtered: boolean): string {
  if (sort !== undefined) return sort.descending ? `${sort.sql} DESC NULLS FIRST, id DESC` : `${sort.sql} ASC NULLS LAST, id ASC`;
  return filtered ? '+created_at, +id' : 'created_at, id';
}

/** SQLite statements of the single-resource reads and writes: building them through Kysely cost more than running them. */
const GET_ONE_SQL = `SELECT ${SELECTED_SQL} FROM ${TABLE} WHERE resource_type = ? AND id = ?`;
const GET_ONE_SQL_PG = `SELECT ${SELECTED_SQL} FROM ${TABLE} WHERE resource_type = $1 AND id = $2`;
const INSERT_ONE_SQL = `INSERT INTO ${TABLE} (resource_type, id, data, unique_name, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING version`;
const UPDATE_SQL = `UPDATE ${TABLE} SET data = ?, unique_name = ?, version = version + 1, updated_at = ? WHERE resource_type = ? AND id = ?`
  + ' RETURNING version, created_at';
const UPDATE_IF_VERSION_SQL = UPDATE_SQL.replace(' RETURNING', ' AND version = ? RETURNING');

type SqliteRun = (compiled: CompiledQuery) => unknown[][];

/**
 * ScimStore.groupsOf: the member_id index finds the rows, a covering index
 * each Group's name (its unique_name), never its row: SQLite keeps the name
 * after the document, and without statistics it would pick the primary key
 * and walk the document to reach it (INDEXED BY). The ids are one JSON
 * parameter, so the text is the same for any page size. Exported for EXPLAIN.
 */
export const GROUPS_OF_SQL = `SELECT m.member_id, m.group_id, r.unique_name FROM ${MEMBERS} m`
  + ` JOIN ${TABLE} r INDEXED BY roster_scim_group_names ON r.resource_type = '${GROUP}' AND r.id = m.group_id`
  + ' WHERE m.member_id IN (SELECT value FROM json_each(?)) ORDER BY m.member_id, m.group_id';
export const GROUPS_OF_SQL_PG = `SELECT m.member_id, m.group_id, r.unique_name FROM ${MEMBERS} m`
  + ` JOIN ${TABLE} r ON r.resource_type = '${GROUP}' AND r.id = m.group_id`
  + ' WHERE m.member_id = ANY(ARRAY(SELECT json_array_elements_text($1::json))) ORDER BY m.member_id, m.group_id';

interface GroupOfRow {
  readonly member_id: string;
  readonly group_id: string;
  readonly unique_name: string;
}

/**
 * RFC 7644 §3.4.2 lists need the page and the total; the page alone tells
 * the total when it is short and not empty past the start, and then the
 * count statement is skipped. A filter that finds one user, the common case
 * for an identity provider, is then one indexed statement. Undefined: count.
 */
function totalOfPage(query: ScimQuery, rows: number): number | undefined {
  // A keyset page past the first starts at an unknown offset.
  if (query.limit === 0 || query.keyset?.after !== undefined) return undefined;
  return rows < query.limit && (rows > 0 || query.offset === 0) ? query.offset + rows : undefined;
}

/** better-sqlite3's Database says whether a transaction is open on it; other SqliteStatements may not. */
function idle(database: SqliteStatements): boolean {
  return 'inTransaction' in database && database.inTransaction === false;
}

/**
 * Runs reads (and writes with RETURNING) on SQLite's raw connection through
 * prepared statements kept by SQL text, rows in raw mode (arrays, no object
 * per row): no query builder and no preparing per request. Reads go through
 * sqliteRead and writes run inside ctx.write, so a read never lands inside
 * another caller's open write transaction.
 */
function cachedStatements(database: SqliteStatements): SqliteRun {
  const statements = new Map<string, SqliteStatement>();
  return (compiled) => {
    let statement = statements.get(compiled.sql);
    if (statement === undefined) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      statement = database.prepare(compiled.sql).raw(true);
      statements.set(compiled.sql, statement);
    }
    return [...statement.iterate(...compiled.parameters)] as unknown[][];
  };
}

/**
 * One UPDATE … RETURNING of a resource inside the caller's write transaction
 * (a prepared statement on SQLite, the builder on PostgreSQL); undefined when
 * no row matched (absent, or not at `ifVersion`).
 */
async function updateRow(
  trx: Db, run: SqliteRun | undefined, write: ScimWrite, change: { readonly json: string; readonly when: string; readonly ifVersion: number | undefined },
): Promise<{ readonly version: number; readonly created_at: string } | undefined> {
  const { json, when, ifVersion } = change;
  if (run !== undefined) {
    const params = [json, write.uniqueName, when, write.resourceType, write.id, ...(ifVersion === undefined ? [] : [ifVersion])];
    const [row] = run(CompiledQuery.raw(ifVersion === undefined ? UPDATE_SQL : UPDATE_IF_VERSION_SQL, params));
    return row === undefined ? undefined : { version: Number(row[0]), created_at: String(row[1]) };
  }
  let update = trx.updateTable(TABLE)
    .set({ data: json, unique_name: write.uniqueName, version: sql<number>`version + 1`, updated_at: when })
    .where('resource_type', '=', write.resourceType).where('id', '=', write.id);
  if (ifVersion !== undefined) update = update.where('version', '=', ifVersion);
  const row = await update.returning(['version', 'created_at']).executeTakeFirst();
  return row === undefined ? undefined : { version: Number(row.version), created_at: row.created_at };
}

/**
 * The SCIM server's resources in one table (see migrations.ts, 0003_scim).
 * Writes go through ctx.write and never bump the store serial (that counts
 * identity and account changes; inbound SCIM bumps it when it ingests).
 */
export function createScimStore(ctx: StoreContext): ScimStore {
  const { db, dialect } = ctx;
  const sqliteRun = ctx.sqlite === undefined ? undefined : cachedStatements(ctx.sqlite);

  /**
   * A synchronous read on SQLite's connection: at once when no transaction is
   * open on it (better-sqlite3 is synchronous, so nothing can interleave), or
   * once Kysely's connection is free when a write transaction of this process
   * is open (its uncommitted rows must not be read). The common case skips
   * Kysely's connection hand-over, a mutex and a promise chain per read.
   */
  async function sqliteRead<T>(read: () => T): Promise<T> {
    if (ctx.sqlite !== undefined && idle(ctx.sqlite)) return read();
    return db.connection().execute(async () => read());
  }

  async function versionOf(trx: Db, resourceType: string, id: string): Promise<number | undefined> {
    const row = await trx.selectFrom(TABLE).select('version').where('resource_type', '=', resourceType).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : Number(row.version);
  }

  function stale(resourceType: string, id: string, current: number, expected: number): RosterError {
    return new RosterError('request.precondition_failed', `${resourceType} ${id} is at version ${current}, not ${expected}`, {
      details: { version: current },
    });
  }

  /**
   * Membership rows as `[group id, member id]` pairs, inserted in chunks of
   * one JSON parameter each (a pair already there is kept: a repeated member).
   */
  async function addMembers(trx: Db, pairs: readonly (readonly [string, string])[]): Promise<void> {
    const text = dialect === 'postgres'
      ? `INSERT INTO ${MEMBERS} (group_id, member_id) SELECT p->>0, p->>1 FROM json_array_elements($1::json) AS p ON CONFLICT DO NOTHING`
      : `INSERT OR IGNORE INTO ${MEMBERS} (group_id, member_id) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`;
    for (let start = 0; start < pairs.length; start += MEMBER_ROWS_PER_STATEMENT) {
      await trx.executeQuery(CompiledQuery.raw(text, [JSON.stringify(pairs.slice(start, start + MEMBER_ROWS_PER_STATEMENT))]));
    }
  }

  async function removeMembers(trx: Db, groupId: string, ids: readonly string[]): Promise<void> {
    const text = dialect === 'postgres'
      ? `DELETE FROM ${MEMBERS} WHERE group_id = $1 AND member_id IN (SELECT json_array_elements_text($2::json))`
      : `DELETE FROM ${MEMBERS} WHERE group_id = ? AND member_id IN (SELECT value FROM json_each(?))`;
    for (let start = 0; start < ids.length; start += MEMBER_ROWS_PER_STATEMENT) {
      await trx.executeQuery(CompiledQuery.raw(text, [groupId, JSON.stringify(ids.slice(start, start + MEMBER_ROWS_PER_STATEMENT))]));
    }
  }

  /**
   * Brings a replaced Group's rows to its new members by their difference
   * with the rows it has: Entra's one-member PATCH of a 100,000-member group
   * reads 100,000 narrow index entries and writes one row, not 100,000.
   */
  async function syncMembers(trx: Db, write: ScimWrite): Promise<void> {
    if (write.resourceType !== GROUP) return;
    const text = `SELECT member_id FROM ${MEMBERS} WHERE group_id = ${dialect === 'postgres' ? '$1' : '?'}`;
    const old = new Set((await trx.executeQuery<{ member_id: string }>(CompiledQuery.raw(text, [write.id]))).rows.map((row) => row.member_id));
    const next = new Set(memberIds(write.data));
    await removeMembers(trx, write.id, [...old].filter((id) => !next.has(id)));
    await addMembers(trx, [...next].filter((id) => !old.has(id)).map((id) => [write.id, id] as const));
  }

  /** The membership rows of the Groups among `writes` (all new). */
  function pairsOf(writes: readonly ScimWrite[]): (readonly [string, string])[] {
    return writes.flatMap((write) => (write.resourceType === GROUP ? memberIds(write.data).map((id) => [write.id, id] as const) : []));
  }

  async function insertMany(trx: Db, writes: readonly ScimWrite[], at: string): Promise<void> {
    if (ctx.sqlite !== undefined) {
      // One prepared statement per row on the transaction's connection: no builder cost, and a refusal names its row.
      const insert = ctx.sqlite.prepare(`INSERT INTO ${TABLE} (resource_type, id, data, unique_name, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)`);
      for (const write of writes) {
        try {
          insert.run(write.resourceType, write.id, storedJson(write), write.uniqueName, at, at);
        } catch (error) {
          throw asConflict(error, write.resourceType, write);
        }
      }
      return;
    }
    // PostgreSQL: each chunk is one JSON parameter expanded by json_to_recordset (one round trip per chunk).
    const text = `INSERT INTO ${TABLE} (resource_type, id, data, unique_name, version, created_at, updated_at)`
      + ' SELECT resource_type, id, data, unique_name, 1, $2::text, $2::text'
      + ' FROM json_to_recordset($1::json) AS r(resource_type text, id text, data jsonb, unique_name text)';
    for (let start = 0; start < writes.length; start += PG_ROWS_PER_INSERT) {
      const chunk = writes.slice(start, start + PG_ROWS_PER_INSERT);
      for (const write of chunk) storedJson(write);
      const records = JSON.stringify(chunk.map((w) => ({ resource_type: w.resourceType, id: w.id, data: w.data, unique_name: w.uniqueName })));
      const only = chunk.length === 1 ? chunk[0] : undefined;
      await conflictAware(chunk[0]!.resourceType, only, () => trx.executeQuery(CompiledQuery.raw(text, [records, at])));
    }
  }

  return {
    columnOf: (attribute) => COLUMNS.get(attribute),

    async create(write, at = new Date()) {
      const json = storedJson(write);
      const when = at.toISOString();
      await conflictAware(write.resourceType, write, () => ctx.write(async (trx) => {
        if (sqliteRun !== undefined) {
          sqliteRun(CompiledQuery.raw(INSERT_ONE_SQL, [write.resourceType, write.id, json, write.uniqueName, when, when]));
        } else {
          await trx.insertInto(TABLE).values({
            resource_type: write.resourceType, id: write.id, data: json, unique_name: write.uniqueName, version: 1, created_at: when, updated_at: when,
          }).execute();
        }
        await addMembers(trx, pairsOf([write]));
      }));
      return { resourceType: write.resourceType, id: write.id, data: JSON.parse(json), version: 1, created: when, lastModified: when };
    },

    async createMany(writes, at = new Date()) {
      if (writes.length === 0) return;
      await ctx.write(async (trx) => {
        await insertMany(trx, writes, at.toISOString());
        await addMembers(trx, pairsOf(writes));
      });
    },

    async get(resourceType, id) {
      if (sqliteRun !== undefined) {
        const run = sqliteRun;
        const [row] = await sqliteRead(() => run(CompiledQuery.raw(GET_ONE_SQL, [resourceType, id])));
        return row === undefined ? undefined : fromRow(fromRawRow(row));
      }
      const [row] = (await db.executeQuery<SelectedRow>(CompiledQuery.raw(GET_ONE_SQL_PG, [resourceType, id]))).rows;
      return row === undefined ? undefined : fromRow(row);
    },

    async getMany(resourceType, ids) {
      const unique = [...new Set(ids)];
      const found: ScimResource[] = [];
      for (let i = 0; i < unique.length; i += IN_CHUNK) {
        const rows = await db.selectFrom(TABLE).select(SELECTED).where('resource_type', '=', resourceType)
          .where('id', 'in', unique.slice(i, i + IN_CHUNK)).execute();
        for (const row of rows) found.push(fromRow(row));
      }
      return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async replace(write, options = {}) {
      const json = storedJson(write);
      const when = (options.at ?? new Date()).toISOString();
      const { ifVersion } = options;
      const row = await conflictAware(write.resourceType, write, () => ctx.write(async (trx) => {
        const updated = await updateRow(trx, sqliteRun, write, { json, when, ifVersion });
        if (updated !== undefined) {
          await syncMembers(trx, write);
          return updated;
        }
        const current = await versionOf(trx, write.resourceType, write.id);
        if (current === undefined || ifVersion === undefined) throw new RosterError('store.not_found', `${write.resourceType} ${write.id} does not exist`);
        throw stale(write.resourceType, write.id, current, ifVersion);
      }));
      return {
        resourceType: write.resourceType, id: write.id, data: JSON.parse(json), version: Number(row.version), created: row.created_at, lastModified: when,
      };
    },

    async delete(resourceType, id, options = {}) {
      const { ifVersion } = options;
      return ctx.write(async (trx) => {
        let removal = trx.deleteFrom(TABLE).where('resource_type', '=', resourceType).where('id', '=', id);
        if (ifVersion !== undefined) removal = removal.where('version', '=', ifVersion);
        const result = await removal.executeTakeFirst();
        if (Number(result.numDeletedRows) > 0) {
          // A Group's own rows go with it. Rows naming the deleted resource as a member stay while a Group's
          // document names it: the server takes it out of those Groups by replacing them (RFC 7644 §3.6).
          if (resourceType === GROUP) await trx.deleteFrom(MEMBERS).where('group_id', '=', id).execute();
          return true;
        }
        const current = ifVersion === undefined ? undefined : await versionOf(trx, resourceType, id);
        if (current === undefined || ifVersion === undefined) return false;
        throw stale(resourceType, id, current, ifVersion);
      });
    },

    async query(query) {
      assertThat(Number.isInteger(query.offset) && query.offset >= 0, 'request.invalid', 'offset must be a whole number ≥ 0');
      assertThat(Number.isInteger(query.limit) && query.limit >= 0, 'request.invalid', 'limit must be a whole number ≥ 0');
      assertThat(query.keyset === undefined || query.offset === 0, 'request.invalid', 'a keyset page starts at offset 0');
      const keyed = <R>(raw: readonly R[], key: (row: R) => ScimKeyset) => (query.keyset === undefined ? {} : { keys: raw.map(key) });
      if (sqliteRun !== undefined) {
        const run = sqliteRun;
        // Page and count in one synchronous step: no write of this process lands between them.
        return sqliteRead(() => {
          const raw = query.limit === 0 ? [] : run(scimQuerySql(dialect, query, 'page'));
          const total = totalOfPage(query, raw.length) ?? Number(run(scimQuerySql(dialect, query, 'count'))[0]?.[0] ?? 0);
          return { total, resources: raw.map((row) => fromRow(fromRawRow(row))), ...keyed(raw, (row) => keyOf(String(row[1]), row[6])) };
        });
      }
      // Both statements on one connection: no write of this process lands between them.
      return db.connection().execute(async (conn) => {
        const rows = query.limit === 0 ? [] : (await conn.executeQuery<SelectedRow & { sort_key?: unknown }>(scimQuerySql(dialect, query, 'page'))).rows;
        const total = totalOfPage(query, rows.length)
          ?? Number((await conn.executeQuery<{ n: number | string }>(scimQuerySql(dialect, query, 'count'))).rows[0]?.n ?? 0);
        return { total, resources: rows.map(fromRow), ...keyed(rows, (row) => keyOf(row.id, row.sort_key)) };
      });
    },

    async *iterate(resourceType, pageSize = DEFAULT_PAGE) {
      assertThat(Number.isInteger(pageSize) && pageSize > 0, 'request.invalid', 'pageSize must be a whole number > 0');
      let after: string | undefined;
      for (;;) {
        let page = db.selectFrom(TABLE).select(SELECTED).where('resource_type', '=', resourceType);
        if (after !== undefined) page = page.where('id', '>', after);
        const rows = await page.orderBy('id').limit(pageSize).execute();
        for (const row of rows) yield fromRow(row);
        if (rows.length < pageSize) return;
        after = rows[rows.length - 1]!.id;
      }
    },

    async count(resourceType) {
      const row = await db.selectFrom(TABLE).select((eb) => eb.fn.countAll().as('n')).where('resource_type', '=', resourceType).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async groupsOf(ids) {
      const byMember = new Map<string, { id: string; displayName: string }[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return byMember;
      const compiled = CompiledQuery.raw(dialect === 'postgres' ? GROUPS_OF_SQL_PG : GROUPS_OF_SQL, [JSON.stringify([...byMember.keys()])]);
      let rows: unknown[][];
      if (sqliteRun !== undefined) {
        const run = sqliteRun;
        rows = await sqliteRead(() => run(compiled));
      } else {
        rows = (await db.executeQuery<GroupOfRow>(compiled)).rows.map((row) => [row.member_id, row.group_id, row.unique_name]);
      }
      for (const [memberId, groupId, displayName] of rows as [string, string, string][]) byMember.get(memberId)?.push({ id: groupId, displayName });
      return byMember;
    },
  };
}
