import { isRosterError, RosterError } from '../../core/errors.js';
import { translateSort } from '../../scim/filter/sort.js';
import type { ScimResourceType } from '../../scim/resource/types.js';
import type { ScimQuery } from '../../store/types.js';
import type { ScimCall, ScimServer } from './context.js';
import { decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';
import type { ListParams } from './list-params.js';
import { renderResources } from './render.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ListResponse {
  readonly schemas: readonly [typeof LIST_RESPONSE_SCHEMA];
  readonly totalResults: number;
  readonly itemsPerPage: number;
  /** Index paging only. */
  readonly startIndex?: number;
  /** Cursor paging (RFC 9865): absent on the last page. */
  readonly nextCursor?: string;
  readonly Resources: Record<string, unknown>[];
}

type TypedQuery = { readonly type: ScimResourceType; readonly query: Omit<ScimQuery, 'offset' | 'limit'> };

/** The store query for one resource type: filter and sort translated to SQL, run in the database. */
function queryFor(server: ScimServer, type: ScimResourceType, params: ListParams): Omit<ScimQuery, 'offset' | 'limit'> {
  const { store } = server.options;
  const filter = params.filter === undefined ? undefined : server.filters.translated(type, params.filter);
  const sort = params.sortBy === undefined
    ? undefined
    : { sql: translateSort(params.sortBy, type.schema, store.dialect, store.scim.columnOf), descending: params.descending };
  return { resourceType: type.name, ...(filter === undefined ? {} : { filter }), ...(sort === undefined ? {} : { sort }) };
}

/**
 * RFC 7644 §3.4.2 for one resource type, or §3.4.3 at the root for several:
 * those are listed one type after the other (each sorted on its own), and a
 * type the filter or sortBy does not fit contributes nothing — unless it fits
 * none, which is the client's error.
 */
export async function listResources(
  server: ScimServer,
  call: ScimCall,
  types: readonly ScimResourceType[],
  params: ListParams,
): Promise<ListResponse> {
  const queries: TypedQuery[] = [];
  let refusal: RosterError | undefined;
  for (const type of types) {
    try {
      queries.push({ type, query: queryFor(server, type, params) });
    } catch (error) {
      if (types.length === 1 || !isRosterError(error, 'request.invalid')) throw error;
      refusal ??= error;
    }
  }
  if (queries.length === 0 && refusal !== undefined) throw refusal;
  if (params.cursor !== undefined) return listByCursor(server, call, queries, params, params.cursor);

  let skip = params.startIndex - 1;
  let room = params.count;
  let totalResults = 0;
  const Resources: Record<string, unknown>[] = [];
  for (const { type, query } of queries) {
    const page = await server.options.store.scim.query({ ...query, offset: skip, limit: room });
    totalResults += page.total;
    skip = Math.max(0, skip - page.total);
    room -= page.resources.length;
    Resources.push(...(await renderResources(server, call, type, page.resources, params)));
  }
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, itemsPerPage: Resources.length, startIndex: params.startIndex, Resources };
}

/** What a cursor is bound to (RFC 9865 §2: every parameter but the cursor stays the same): the endpoint's types, filter and sort. */
function cursorQuery(queries: readonly TypedQuery[], params: ListParams): string {
  const sort = params.sortBy === undefined ? null : [params.sortBy, params.descending];
  return JSON.stringify([queries.map(({ type }) => type.name), params.filter ?? null, sort]);
}

/**
 * RFC 9865 cursor paging over keyset pages: each type in turn from the
 * cursor's position, one row more than the page holds so the last page is
 * known (nextCursor is absent exactly there). Types before the cursor's
 * only count towards totalResults.
 */
async function listByCursor(
  server: ScimServer, call: ScimCall, queries: readonly TypedQuery[], params: ListParams, cursor: string,
): Promise<ListResponse> {
  const bound = cursorQuery(queries, params);
  const position = cursor === '' ? undefined : decodeCursor(server.cursorKey, bound, cursor, server.now());
  if (position !== undefined && position.count !== params.count) {
    throw new RosterError('request.invalid', `count must stay ${position.count} for the whole cursor walk`, { details: { scimType: 'invalidCount' } });
  }
  const start = position === undefined ? 0 : queries.findIndex(({ type }) => type.name === position.resourceType);
  let room = params.count;
  let more = false;
  let last: CursorPosition | undefined;
  let totalResults = 0;
  const Resources: Record<string, unknown>[] = [];
  for (const [index, { type, query }] of queries.entries()) {
    const limit = index < start || more || params.count === 0 ? 0 : room + 1;
    const after = index === start ? position?.after : undefined;
    const page = await server.options.store.scim.query({ ...query, offset: 0, limit, keyset: after === undefined ? {} : { after } });
    totalResults += page.total;
    const kept = page.resources.slice(0, room);
    more ||= page.resources.length > kept.length;
    const key = page.keys?.[kept.length - 1];
    if (key !== undefined) last = { resourceType: type.name, after: key, count: params.count };
    room -= kept.length;
    Resources.push(...(await renderResources(server, call, type, kept, params)));
  }
  const nextCursor = more && last !== undefined ? encodeCursor(server.cursorKey, bound, last, server.now()) : undefined;
  return {
    schemas: [LIST_RESPONSE_SCHEMA], totalResults, itemsPerPage: Resources.length, Resources, ...(nextCursor === undefined ? {} : { nextCursor }),
  };
}
