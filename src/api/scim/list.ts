import { isRosterError, RosterError } from '../../core/errors.js';
import { translateSort } from '../../scim/filter/sort.js';
import type { ScimResourceType } from '../../scim/resource/types.js';
import type { ScimQuery } from '../../store/types.js';
import type { ScimCall, ScimServer } from './context.js';
import type { ListParams } from './list-params.js';
import { renderResources } from './render.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ListResponse {
  readonly schemas: readonly [typeof LIST_RESPONSE_SCHEMA];
  readonly totalResults: number;
  readonly itemsPerPage: number;
  readonly startIndex: number;
  readonly Resources: Record<string, unknown>[];
}

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
  const queries: { type: ScimResourceType; query: Omit<ScimQuery, 'offset' | 'limit'> }[] = [];
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
