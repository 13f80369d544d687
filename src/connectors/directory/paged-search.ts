import { createHash } from 'node:crypto';
import { type Control, FilterParser, MessageResponseStatus, PagedResultsControl, SearchRequest, StatusCodeParser, type Entry, type Filter, type SearchResponse } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import { isCheckedMajor, LDAPTS_VERSION } from './ldapts-version.js';
import type { DirectoryClient } from './pool.js';

/** What ldapts's own searchPaginated uses of its Client: private there, so checked before use. */
interface ClientInternals {
  _nextMessageId(): number;
  _send(request: SearchRequest): Promise<SearchResponse | undefined>;
}

/**
 * The ldapts major versions whose Client internals (`_nextMessageId`, `_send`
 * resolving a search with its entries, references and response controls,
 * PagedResultsControl parsed from the response) were checked for pagedSearch.
 * Another major may change them: then a paged read is refused with an error
 * naming the version, never read in a way that may end early.
 */
const CHECKED_LDAPTS_MAJORS: readonly number[] = [8];

/** Empty pages in a row carrying back the cookie just sent before the server is taken to be stuck. */
export const SAME_COOKIE_LIMIT = 100;
/** Empty pages in a row (whatever their cookies) before the server is taken to be going round in circles. */
export const EMPTY_PAGE_LIMIT = 10_000;

export interface PagedSearchOptions {
  readonly scope: 'base' | 'one' | 'sub';
  readonly filter: string | Filter;
  readonly attributes: readonly string[];
  /** Attributes to return as Buffers (objectGUID, objectSid), as ldapts's search option of that name. */
  readonly explicitBufferAttributes?: readonly string[];
  readonly pageSize: number;
  /** Controls sent with every page's request besides the paging control (Show Deleted, for one). */
  readonly controls?: readonly Control[];
}

/** One page as the server sent it (possibly empty), entries decoded as ldapts's search does. */
export interface SearchPage {
  readonly searchEntries: Entry[];
  readonly searchReferences: string[];
}

/** Refuse (clearly) an ldapts version whose internals pagedSearch was not checked against. */
export function assertPagedSearchInternals(version: string | undefined = LDAPTS_VERSION): void {
  if (!isCheckedMajor(version, CHECKED_LDAPTS_MAJORS)) {
    throw new RosterError('target.rejected',
      `a paged directory read needs ldapts ${CHECKED_LDAPTS_MAJORS.map((m) => `${m}.x`).join(' or ')}, ` +
      `and ${version === undefined ? 'its version cannot be read' : `${version} is installed`}: ldapts's own paged search ends at a page ` +
      'without entries even when the server says there are more, so Roster pages through its internals, and only on a version they ' +
      'were checked on (see src/connectors/directory/paged-search.ts)');
  }
}

function internalsOf(client: DirectoryClient): ClientInternals {
  assertPagedSearchInternals();
  const internals = client as unknown as Partial<ClientInternals>;
  if (typeof internals._send !== 'function' || typeof internals._nextMessageId !== 'function') {
    throw new RosterError('target.rejected', `ldapts ${LDAPTS_VERSION ?? ''} no longer has the internals a paged directory read needs`);
  }
  return internals as ClientInternals;
}

/**
 * A paged search (RFC 2696) on one connection, page by page, that asks again
 * for as long as the server returns a non-empty cookie, whether or not the
 * page held entries: a server may return fewer entries than asked, none
 * included (Active Directory, some proxies). ldapts's searchPaginated stops
 * at the first page without entries or references, and a read that ends
 * early would make accounts, people and members look gone.
 *
 * A result other than success fails the read (sizeLimitExceeded included:
 * nothing here sets a client size limit), as ldapts does. A server that
 * keeps answering empty pages, with the cookie just sent SAME_COOKIE_LIMIT
 * times or with any cookies EMPTY_PAGE_LIMIT times in a row, fails the read
 * instead of looping forever.
 */
export async function* pagedSearch(client: DirectoryClient, base: string, options: PagedSearchOptions): AsyncGenerator<SearchPage, void, undefined> {
  const internals = internalsOf(client);
  const done = await pagingTurn(client);
  try {
    yield* pages(internals, base, options);
  } finally {
    done();
  }
}

/**
 * Paged searches under way, per connection (its socket, else the client). A
 * server keeps one paged search's state per connection (OpenLDAP answers the
 * older one's next cookie "invalid or old"), and the pool hands one
 * connection to several callers (a list's lease and a job's group read), so
 * paged searches on one connection take turns; other operations go on
 * meanwhile. A turn ends when the read ends, fails or is left early (a
 * for-await break returns the generator).
 */
const pagingTurns = new WeakMap<object, Promise<void>>();

async function pagingTurn(client: DirectoryClient): Promise<() => void> {
  const key = (client as unknown as { readonly socket?: object }).socket ?? client;
  const before = pagingTurns.get(key) ?? Promise.resolve();
  let end: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => { end = resolve; });
  const mine = before.then(() => ended);
  pagingTurns.set(key, mine);
  await before;
  return () => {
    end();
    if (pagingTurns.get(key) === mine) pagingTurns.delete(key);
  };
}

async function* pages(internals: ClientInternals, base: string, options: PagedSearchOptions): AsyncGenerator<SearchPage, void, undefined> {
  const paging = new PagedResultsControl({ value: { size: options.pageSize } });
  const request = new SearchRequest({
    messageId: -1, baseDN: base, scope: options.scope,
    filter: typeof options.filter === 'string' ? FilterParser.parseString(options.filter) : options.filter,
    attributes: [...options.attributes], explicitBufferAttributes: [...(options.explicitBufferAttributes ?? [])], controls: [paging, ...(options.controls ?? [])],
  });
  let empty = 0;
  let stuck = 0;
  const sent = new Set<string>();
  for (;;) {
    request.messageId = internals._nextMessageId();
    const result = await internals._send(request);
    if (result?.status !== MessageResponseStatus.Success) throw StatusCodeParser.parse(result);
    const page: SearchPage = {
      searchEntries: result.searchEntries.map((entry) => entry.toObject(request.attributes, request.explicitBufferAttributes)),
      searchReferences: result.searchReferences.flatMap((reference) => reference.uris),
    };
    if (page.searchEntries.length > 0) {
      const entries = pageOf(page);
      if (sent.has(entries)) throw sentAgain(base, page);
      sent.add(entries);
    }
    const cookie = responseCookie(result);
    let taken = false;
    try {
      yield page;
      taken = true;
    } finally {
      // The caller left the read early (a for-await break or throw): the server keeps the search's state until told.
      if (!taken && cookie !== undefined) await abandon(internals, request, paging, cookie);
    }
    if (cookie === undefined) return;
    const asked = paging.value?.cookie;
    const isEmpty = page.searchEntries.length === 0 && page.searchReferences.length === 0;
    empty = isEmpty ? empty + 1 : 0;
    stuck = isEmpty && asked !== undefined && asked.equals(cookie) ? stuck + 1 : 0;
    if (stuck >= SAME_COOKIE_LIMIT || empty >= EMPTY_PAGE_LIMIT) throw notMovingOn(base, stuck >= SAME_COOKIE_LIMIT ? 'same' : 'any', Math.max(stuck, empty));
    paging.value = { size: options.pageSize, cookie };
  }
}

/**
 * RFC 2696's way to end a paged search early: the same request with a page
 * size of 0 and the last cookie, so the server drops the results it keeps
 * for it (Active Directory allows only a few such sets per connection,
 * MaxResultSetsPerConn). Best effort: the read is being left anyway, and a
 * failure here (the connection gone) changes nothing for the caller.
 */
async function abandon(internals: ClientInternals, request: SearchRequest, paging: PagedResultsControl, cookie: Buffer): Promise<void> {
  paging.value = { size: 0, cookie };
  request.messageId = internals._nextMessageId();
  try {
    await internals._send(request);
  } catch {
    // Best effort (see above).
  }
}

/** A page's entries, by DN in order, as a short digest: the same page again is the same digest. */
function pageOf(page: SearchPage): string {
  const hash = createHash('sha256');
  for (const entry of page.searchEntries) hash.update(entry.dn).update('\n');
  return hash.digest('base64');
}

/**
 * A page holding exactly the entries of an earlier page of the same search:
 * the server (or a proxy dropping the cookie on its way) starts the results
 * over while sending a cookie, and a read going on would never end (nor its
 * memory), each account or person read again and again.
 */
function sentAgain(base: string, page: SearchPage): RosterError {
  return new RosterError('target.rejected',
    `the directory answered a paged search of ${base} with the same entries again (${page.searchEntries.length}, from ${page.searchEntries[0]?.dn ?? ''}) ` +
    'as an earlier page, with a cookie saying there is more: it is going round in circles (a server or proxy bug in its RFC 2696 paging), ' +
    'so the read stops here, and nothing was read as complete', { details: { base, firstDn: page.searchEntries[0]?.dn } });
}

/** The non-empty cookie of the response's paged results control; undefined when the search is done. */
function responseCookie(result: SearchResponse): Buffer | undefined {
  const control = result.controls?.find((c): c is PagedResultsControl => c instanceof PagedResultsControl);
  const cookie = control?.value?.cookie;
  return cookie !== undefined && cookie.length > 0 ? cookie : undefined;
}

function notMovingOn(base: string, cookies: 'same' | 'any', pages: number): RosterError {
  const how = cookies === 'same' ? 'each handing back the paging cookie it was sent' : 'with a new paging cookie each time';
  return new RosterError('target.rejected',
    `the directory answered a paged search of ${base} with ${pages} empty pages in a row, ${how}: it is not moving on through the results ` +
    '(a server or proxy bug in its RFC 2696 paging), so the read stops here, and nothing was read as complete',
    { details: { base, emptyPages: pages, sameCookie: cookies === 'same' } });
}
