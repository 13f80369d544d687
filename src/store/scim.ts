/**
 * The ScimStore: the SCIM server's resources in one table (migrations.ts,
 * 0003_scim), created, read, replaced and deleted here. The pieces it
 * composes live beside it: the table's row layout (scim-rows.ts), write
 * refusals (scim-refusals.ts), the group membership table (scim-members.ts),
 * list queries (scim-query.ts) and SQLite's statement cache (scim-sqlite.ts).
 */
import { CompiledQuery, sql } from 'kysely';
import { assertThat, RosterError } from '../core/errors.js';
import type { Db, StoreContext } from './context.js';
import { scimMembers } from './scim-members.js';
import { runScimQuery } from './scim-query.js';
import { asConflict, conflictAware, storedJson } from './scim-refusals.js';
import { COLUMNS, fromRawRow, fromRow, SELECTED, SELECTED_SQL, TABLE, type SelectedRow } from './scim-rows.js';
import { scimSqlite, type SqliteRun } from './scim-sqlite.js';
import type { ScimResource, ScimStore, ScimWrite } from './types.js';

// Imported from here by the API and the conformance tests.
export { GROUPS_OF_SQL, GROUPS_OF_SQL_PG, memberIds } from './scim-members.js';
export { scimQuerySql } from './scim-query.js';

/** Rows per PostgreSQL insert in createMany (one JSON parameter each). */
const PG_ROWS_PER_INSERT = 5_000;
/** Ids per `in (…)` list in getMany. */
const IN_CHUNK = 5_000;
const DEFAULT_PAGE = 1_000;

/** SQLite statements of the single-resource reads and writes: building them through Kysely cost more than running them. */
const GET_ONE_SQL = `SELECT ${SELECTED_SQL} FROM ${TABLE} WHERE resource_type = ? AND id = ?`;
const GET_ONE_SQL_PG = `SELECT ${SELECTED_SQL} FROM ${TABLE} WHERE resource_type = $1 AND id = $2`;
const INSERT_ONE_SQL = `INSERT INTO ${TABLE} (resource_type, id, data, unique_name, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING version`;
const UPDATE_SQL = `UPDATE ${TABLE} SET data = ?, unique_name = ?, version = version + 1, updated_at = ? WHERE resource_type = ? AND id = ?`
  + ' RETURNING version, created_at';
const UPDATE_IF_VERSION_SQL = UPDATE_SQL.replace(' RETURNING', ' AND version = ? RETURNING');

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
  const { db } = ctx;
  const sqlite = scimSqlite(ctx);
  const sqliteRun = sqlite?.run;
  const members = scimMembers(ctx, sqlite);

  async function versionOf(trx: Db, resourceType: string, id: string): Promise<number | undefined> {
    const row = await trx.selectFrom(TABLE).select('version').where('resource_type', '=', resourceType).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : Number(row.version);
  }

  function stale(resourceType: string, id: string, current: number, expected: number): RosterError {
    return new RosterError('request.precondition_failed', `${resourceType} ${id} is at version ${current}, not ${expected}`, {
      details: { version: current },
    });
  }

  async function insertMany(trx: Db, writes: readonly ScimWrite[], at: string): Promise<void> {
    if (ctx.sqlite !== undefined) {
      // One prepared statement per row on the transaction's connection: no builder cost, and a refusal names its row.
      const insert = ctx.sqlite.statement(`INSERT INTO ${TABLE} (resource_type, id, data, unique_name, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)`);
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
        await members.afterCreate(trx, [write]);
      }));
      return { resourceType: write.resourceType, id: write.id, data: JSON.parse(json), version: 1, created: when, lastModified: when };
    },

    async createMany(writes, at = new Date()) {
      if (writes.length === 0) return;
      await ctx.write(async (trx) => {
        await insertMany(trx, writes, at.toISOString());
        await members.afterCreate(trx, writes);
      });
    },

    async get(resourceType, id) {
      if (sqlite !== undefined) {
        const { run } = sqlite;
        const [row] = await sqlite.read(() => run(CompiledQuery.raw(GET_ONE_SQL, [resourceType, id])));
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
          await members.afterReplace(trx, write);
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
          await members.afterDelete(trx, resourceType, id);
          return true;
        }
        const current = ifVersion === undefined ? undefined : await versionOf(trx, resourceType, id);
        if (current === undefined || ifVersion === undefined) return false;
        throw stale(resourceType, id, current, ifVersion);
      });
    },

    query: (query) => runScimQuery(ctx, sqlite, query),

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

    groupsOf: members.groupsOf,
  };
}
