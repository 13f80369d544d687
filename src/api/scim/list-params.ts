import { RosterError } from '../../core/errors.js';

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** RFC 7644 §3.4.2 query parameters, normalised; GET and POST .search produce the same. */
export interface ListParams {
  readonly filter?: string;
  readonly sortBy?: string;
  readonly descending: boolean;
  /** 1-based. */
  readonly startIndex: number;
  /** RFC 9865: present (empty for the first page) asks for cursor paging instead of startIndex. */
  readonly cursor?: string;
  /** 0 asks only for totalResults. */
  readonly count: number;
  /** Comma-separated, as in the query string. */
  readonly attributes?: string;
  readonly excludedAttributes?: string;
}

function invalid(message: string, scimType = 'invalidValue'): RosterError {
  return new RosterError('request.invalid', message, { details: { scimType } });
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw invalid(`'${name}' must be given once, as a string`);
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(value)) return Number(value);
  throw invalid(`'${name}' must be an integer`);
}

/** `attributes` in a .search body is a list of strings; in a query string, comma-separated. */
function attributeList(value: unknown, name: string): string | undefined {
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
  return text(value, name);
}

interface RawListParams {
  readonly filter?: unknown;
  readonly sortBy?: unknown;
  readonly sortOrder?: unknown;
  readonly startIndex?: unknown;
  readonly cursor?: unknown;
  readonly count?: unknown;
  readonly attributes?: unknown;
  readonly excludedAttributes?: unknown;
}

/**
 * startIndex below 1 counts as 1 and a negative count as 0 (RFC 7644 §3.4.2.4);
 * count above maxResults is clamped and an absent one is maxResults, so a list
 * never returns more than the service provider config says.
 */
function normalise(raw: RawListParams, maxResults: number): ListParams {
  const filter = text(raw.filter, 'filter');
  const sortBy = text(raw.sortBy, 'sortBy');
  const sortOrder = text(raw.sortOrder, 'sortOrder')?.toLowerCase();
  if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw invalid(`'sortOrder' must be "ascending" or "descending"`);
  }
  const givenStart = integer(raw.startIndex, 'startIndex');
  const cursor = text(raw.cursor, 'cursor');
  // RFC 9865 §2.4: the client picks one pagination method per request.
  if (cursor !== undefined && givenStart !== undefined) throw invalid(`'startIndex' and 'cursor' cannot be used together`);
  const startIndex = Math.max(1, givenStart ?? 1);
  const count = Math.min(maxResults, Math.max(0, integer(raw.count, 'count') ?? maxResults));
  const attributes = attributeList(raw.attributes, 'attributes');
  const excludedAttributes = attributeList(raw.excludedAttributes, 'excludedAttributes');
  return {
    ...(filter === undefined || filter.trim() === '' ? {} : { filter }),
    ...(sortBy === undefined || sortBy.trim() === '' ? {} : { sortBy: sortBy.trim() }),
    descending: sortOrder === 'descending',
    startIndex,
    ...(cursor === undefined ? {} : { cursor }),
    count,
    ...(attributes === undefined ? {} : { attributes }),
    ...(excludedAttributes === undefined ? {} : { excludedAttributes }),
  };
}

export function listParamsFromQuery(query: unknown, maxResults: number): ListParams {
  return normalise(typeof query === 'object' && query !== null ? (query as RawListParams) : {}, maxResults);
}

/** POST …/.search (RFC 7644 §3.4.3): the same parameters in a SearchRequest body. */
export function listParamsFromSearch(body: unknown, maxResults: number): ListParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The body must be a SearchRequest object', 'invalidSyntax');
  const schemas = (body as { schemas?: unknown }).schemas;
  if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST_SCHEMA)) {
    throw invalid(`The body's schemas must contain "${SEARCH_REQUEST_SCHEMA}"`, 'invalidSyntax');
  }
  return normalise(body as RawListParams, maxResults);
}
