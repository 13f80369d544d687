/**
 * The SCIM group membership table (migrations.ts, 0004_scim_members): one
 * `(group id, member id)` row per member a Group's document names, kept in
 * step with every Group write, so a page of users' groups is one indexed read.
 */
import { CompiledQuery } from 'kysely';
import type { Db, StoreContext } from './context.js';
import { TABLE } from './scim-rows.js';
import type { ScimSqlite } from './scim-sqlite.js';
import type { ScimStore, ScimWrite } from './types.js';

/** Group membership kept beside the documents (migrations.ts, 0004_scim_members). */
const MEMBERS = 'roster_scim_members';
/** The resource type whose `members` the store indexes (RFC 7643 §4.2). */
const GROUP = 'Group';
/** Rows per membership insert or delete: one JSON parameter each. */
const MEMBER_ROWS_PER_STATEMENT = 10_000;

/** The `value`s of a Group's members (RFC 7643 §4.2) that are strings: what the membership table holds for it. */
export function memberIds(data: Readonly<Record<string, unknown>> | undefined): string[] {
  const members = data?.members;
  if (!Array.isArray(members)) return [];
  return members.flatMap((member: unknown) => {
    const value = typeof member === 'object' && member !== null ? (member as { value?: unknown }).value : undefined;
    return typeof value === 'string' ? [value] : [];
  });
}

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

/** The membership table's side of the store's writes, each run inside the caller's write transaction, and its read. */
export interface ScimMembers {
  /** Adds the rows of the Groups among `writes`, all new resources. */
  afterCreate(trx: Db, writes: readonly ScimWrite[]): Promise<void>;
  /** Brings a replaced Group's rows to the members its new document names. */
  afterReplace(trx: Db, write: ScimWrite): Promise<void>;
  /** Drops a deleted Group's own rows. */
  afterDelete(trx: Db, resourceType: string, id: string): Promise<void>;
  groupsOf: ScimStore['groupsOf'];
}

export function scimMembers(ctx: StoreContext, sqlite: ScimSqlite | undefined): ScimMembers {
  const { db, dialect } = ctx;

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

  return {
    async afterCreate(trx, writes) {
      await addMembers(trx, writes.flatMap((write) => (write.resourceType === GROUP ? memberIds(write.data).map((id) => [write.id, id] as const) : [])));
    },

    /**
     * By the difference of the new members with the rows the Group has:
     * Entra's one-member PATCH of a 100,000-member group reads 100,000 narrow
     * index entries and writes one row, not 100,000.
     */
    async afterReplace(trx, write) {
      if (write.resourceType !== GROUP) return;
      const text = `SELECT member_id FROM ${MEMBERS} WHERE group_id = ${dialect === 'postgres' ? '$1' : '?'}`;
      const old = new Set((await trx.executeQuery<{ member_id: string }>(CompiledQuery.raw(text, [write.id]))).rows.map((row) => row.member_id));
      const next = new Set(memberIds(write.data));
      await removeMembers(trx, write.id, [...old].filter((id) => !next.has(id)));
      await addMembers(trx, [...next].filter((id) => !old.has(id)).map((id) => [write.id, id] as const));
    },

    /**
     * Rows naming the deleted resource as a member stay while a Group's
     * document names it: the server takes it out of those Groups by replacing
     * them (RFC 7644 §3.6).
     */
    async afterDelete(trx, resourceType, id) {
      if (resourceType === GROUP) await trx.deleteFrom(MEMBERS).where('group_id', '=', id).execute();
    },

    async groupsOf(ids) {
      const byMember = new Map<string, { id: string; displayName: string }[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return byMember;
      const compiled = CompiledQuery.raw(dialect === 'postgres' ? GROUPS_OF_SQL_PG : GROUPS_OF_SQL, [JSON.stringify([...byMember.keys()])]);
      let rows: unknown[][];
      if (sqlite !== undefined) {
        const { run } = sqlite;
        rows = await sqlite.read(() => run(compiled));
      } else {
        rows = (await db.executeQuery<GroupOfRow>(compiled)).rows.map((row) => [row.member_id, row.group_id, row.unique_name]);
      }
      for (const [memberId, groupId, displayName] of rows as [string, string, string][]) byMember.get(memberId)?.push({ id: groupId, displayName });
      return byMember;
    },
  };
}
