import { RosterError } from '../../core/errors.js';
import { scimTypeOf } from './errors.js';
import { eqFilter } from './filter.js';
import type { Query, ScimHttp } from './http.js';
import type { ScimResource } from './mapping.js';

export interface Paging {
  readonly pageSize: number;
  readonly pagination: 'index' | 'cursor';
}

interface ListResponse {
  readonly Resources?: unknown;
  readonly totalResults?: unknown;
  readonly nextCursor?: unknown;
}

/** Step-backs per walk: a server whose totalResults swings up and down must not keep a walk going forever. */
const MAX_REWINDS = 20;

/**
 * Every resource of an endpoint, page by page. Index paging (RFC 7644
 * §3.4.2.4) advances by what the server actually returned, so a server that
 * returns fewer than `count`, or ignores `count` and returns everything, is
 * read correctly. A page made only of resources already seen ends the walk
 * (a server that ignores count sent everything at once); if totalResults
 * says more remain (a server that ignores startIndex), it is an error.
 * Without totalResults (which the RFC requires) the walk goes on to an empty
 * page. When totalResults shrinks between pages, resources were deleted
 * meanwhile and those after them moved up: the walk steps back by as many,
 * so none is skipped (the ones seen twice are yielded once).
 */
export async function* pages(http: ScimHttp, endpoint: string, paging: Paging, query: Query = {}): AsyncIterable<ScimResource> {
  const seen = new Set<string>();
  let startIndex = 1;
  let cursor = '';
  let lastTotal = Number.NaN;
  let rewound = false;
  let rewinds = 0;
  for (;;) {
    const position = paging.pagination === 'cursor' ? { cursor } : { startIndex };
    const { body } = await http.request('GET', endpoint, { query: { ...query, ...position, count: paging.pageSize } });
    const list = (body ?? {}) as ListResponse;
    const resources = Array.isArray(list.Resources) ? list.Resources.filter(isResource) : [];
    const fresh = resources.filter((r) => !seen.has(r.id as string));
    for (const resource of fresh) {
      seen.add(resource.id as string);
      yield resource;
    }
    const total = list.totalResults === undefined ? Number.NaN : Number(list.totalResults);
    // Deleted meanwhile: what stood after them moved up by as many places, some of it before this page.
    const shrank = paging.pagination === 'index' && total < lastTotal && rewinds < MAX_REWINDS;
    if (resources.length === 0 && !shrank) return;
    if (fresh.length === 0 && !rewound && !shrank) {
      if (startIndex <= total) {
        // Half a list would read as accounts gone missing: refuse rather than return it.
        throw new RosterError('target.rejected', `GET ${endpoint}: the page at startIndex ${startIndex} of ${total} repeats accounts already listed (the server ignores startIndex)`);
      }
      return;
    }
    rewound = shrank;
    if (paging.pagination === 'cursor') {
      if (typeof list.nextCursor !== 'string' || list.nextCursor === '') return;
      cursor = list.nextCursor;
      continue;
    }
    if (shrank) {
      rewinds++;
      startIndex = Math.max(1, startIndex - (lastTotal - total));
    } else {
      startIndex += resources.length;
    }
    lastTotal = total;
    if (Number.isFinite(total) && startIndex > total) return;
  }
}

function isResource(value: unknown): value is ScimResource {
  return value !== null && typeof value === 'object' && typeof (value as ScimResource).id === 'string';
}

export interface Lookup {
  /** The filter attribute, e.g. userName, emails.value, displayName. */
  readonly attribute: string;
  readonly value: string;
  /** Does this resource hold the value? Checks the server's answer, and matches during a scan. */
  readonly holds: (resource: ScimResource) => boolean;
}

export interface Searching {
  readonly paging: Paging;
  /** The server filters (discovery, else the profile). */
  readonly filter: boolean;
  /** The server takes `or` between comparisons (RFC 7644 §3.4.2.2); else one request per lookup. */
  readonly or: boolean;
}

/** A value whose filter form needs escapes, which some servers do not undo (scimmy 1.3.5 does not). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/**
 * The resources holding any of the wanted values: by `eq` filters (joined by
 * `or` when the server takes it) when the server filters, else by one scan.
 * The server's answer is checked (a filter it misread must not adopt the
 * wrong account); a filter it refuses (400 invalidFilter), or an empty answer
 * for a value that needed escapes, is settled by a scan, so a create never
 * duplicates an account because of a server's filter parser. `query` is
 * added to every request (excludedAttributes, say).
 */
export async function lookup(http: ScimHttp, endpoint: string, searching: Searching, wanted: readonly Lookup[], query: Query = {}): Promise<ScimResource[]> {
  const holds = (resource: ScimResource) => wanted.some((w) => w.holds(resource));
  if (searching.filter && wanted.length > 0) {
    try {
      const filters = searching.or ? [wanted.map((w) => eqFilter(w.attribute, w.value)).join(' or ')] : wanted.map((w) => eqFilter(w.attribute, w.value));
      const found = new Map<unknown, ScimResource>();
      for (const filter of filters) {
        for await (const resource of pages(http, endpoint, searching.paging, { ...query, filter })) if (holds(resource)) found.set(resource.id, resource);
      }
      if (found.size > 0 || !wanted.some((w) => NEEDS_ESCAPE.test(w.value))) return [...found.values()];
    } catch (error) {
      if (scimTypeOf(error) !== 'invalidFilter') throw error;
    }
  }
  const found: ScimResource[] = [];
  for await (const resource of pages(http, endpoint, searching.paging, query)) if (holds(resource)) found.push(resource);
  return found;
}
