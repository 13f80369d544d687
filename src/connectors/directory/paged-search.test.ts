import { Client } from 'ldapts';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLdap, type FakeLdap, type FakePage } from '../../../test/support/fake-ldap.js';
import { isRosterError, RosterError } from '../../core/errors.js';
import { DirectoryReader } from '../../sources/directory/search.js';
import { AdEntryReader } from '../ad/entries.js';
import { guidToBytes } from '../ad/guid.js';
import { EntryReader } from '../ldap/entries.js';
import { UidNumberAllocator } from '../ldap/posix.js';
import { toDirectoryError } from './errors.js';
import { DirectoryGroups } from './groups.js';
import { assertPagedSearchInternals, EMPTY_PAGE_LIMIT, pagedSearch, SAME_COOKIE_LIMIT, type SearchPage } from './paged-search.js';
import { ClientPool } from './pool.js';
import { ShowDeletedControl, SHOW_DELETED_OID } from './show-deleted.js';

/**
 * Paged reads against a server that returns fewer entries than asked, none
 * included, with a cookie saying there are more (RFC 2696 allows it; Active
 * Directory and some proxies do it). Every paged read in Roster must go on
 * to the end; a server that never moves on must fail the read, not hang it.
 */
const servers: FakeLdap[] = [];
const pools: ClientPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const GUIDS = ['11111111-2222-3333-4444-555555555555', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', '01020304-0506-0708-090a-0b0c0d0e0f10'];
const person = (i: number) => ({
  dn: `uid=p${i},ou=people,dc=x`,
  attributes: {
    objectClass: 'inetOrgPerson', uid: `p${i}`, employeeNumber: `E${i}`, entryUUID: `00000000-0000-4000-8000-00000000000${i}`,
    objectGUID: guidToBytes(GUIDS[i] ?? ''), member: `uid=p${i},ou=people,dc=x`, uidNumber: String(1000 + i),
  },
});
/** [2 entries + cookie], [0 entries + cookie], [1 entry, no cookie]. */
const EMPTY_MIDDLE: readonly FakePage[] = [{ entries: [person(0), person(1)], cookie: 'c1' }, { entries: [], cookie: 'c2' }, { entries: [person(2)] }];

async function serve(answer: (index: number) => FakePage): Promise<FakeLdap> {
  const server = await startFakeLdap((_search, index) => answer(index));
  servers.push(server);
  return server;
}

function poolFor(server: FakeLdap): ClientPool {
  const pool = new ClientPool({ url: server.url, bindDN: 'cn=reader,dc=x', password: 'secret', startTLS: false, tls: undefined, size: 2, timeoutMs: 5000, connectTimeoutMs: 5000 });
  pools.push(pool);
  return pool;
}

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

async function failure(work: () => Promise<unknown>): Promise<RosterError> {
  const outcome = await work().then(() => undefined, (error: unknown) => error);
  if (!(outcome instanceof RosterError)) throw new Error(`expected a RosterError, got ${String(outcome)}`);
  return outcome;
}

describe('pagedSearch', () => {
  it('goes on past a page without entries while the server sends a cookie, every page on one connection', async () => {
    const server = await serve((i) => EMPTY_MIDDLE[i] ?? {});
    const pool = poolFor(server);
    const pages: SearchPage[] = [];
    for await (const page of pagedSearch(await pool.lease(), 'ou=people,dc=x', { scope: 'sub', filter: '(objectClass=*)', attributes: ['uid'], pageSize: 2 })) pages.push(page);
    expect(pages.map((p) => p.searchEntries.map((e) => e.uid))).toEqual([['p0', 'p1'], [], ['p2']]);
    expect(server.searches.map((s) => [s.paged?.size, s.paged?.cookie.toString()])).toEqual([[2, ''], [2, 'c1'], [2, 'c2']]);
    expect(new Set(server.searches.map((s) => s.connection)).size).toBe(1);
  });

  it('sends the caller\'s controls with every page\'s request, after the paging control, and with the abandon of a read left early', async () => {
    const server = await serve((i) => (i < 3 ? EMPTY_MIDDLE[i] ?? {} : i === 3 ? { entries: [person(0)], cookie: 'c9' } : {}));
    const pool = poolFor(server);
    const options = { scope: 'sub' as const, filter: '(objectClass=*)', attributes: ['uid'], pageSize: 2, controls: [new ShowDeletedControl()] };
    for await (const page of pagedSearch(await pool.lease(), 'dc=x', options)) expect(page.searchEntries.length).toBeLessThanOrEqual(2);
    // Left after the first page: the abandon (size 0, the last cookie) carries them too.
    for await (const page of pagedSearch(await pool.lease(), 'dc=x', options)) if (page.searchEntries.length > 0) break;
    const paging = '1.2.840.113556.1.4.319';
    expect(server.searches.map((s) => [s.paged?.size, s.controls])).toEqual([
      [2, [paging, SHOW_DELETED_OID]], [2, [paging, SHOW_DELETED_OID]], [2, [paging, SHOW_DELETED_OID]],
      [2, [paging, SHOW_DELETED_OID]], [0, [paging, SHOW_DELETED_OID]],
    ]);
  });

  it('ldapts\'s own searchPaginated stops at that empty page (why pagedSearch exists; if this fails, ldapts fixed it)', async () => {
    const server = await serve((i) => EMPTY_MIDDLE[i] ?? {});
    const client = new Client({ url: server.url });
    try {
      const read = await collect((async function* () {
        for await (const page of client.searchPaginated('ou=people,dc=x', { filter: '(objectClass=*)', paged: { pageSize: 2 } })) yield page.searchEntries;
      })());
      expect(read).toHaveLength(2);
    } finally {
      await client.unbind();
    }
  });

  it('follows a cookie on a page holding only references, and decodes explicitBufferAttributes as ldapts does', async () => {
    const server = await serve((i) => [{ references: ['ldap://elsewhere/ou=b,dc=x'], cookie: 'r' }, { entries: [person(0)] }][i] ?? {});
    const pages: SearchPage[] = [];
    const search = pagedSearch(await poolFor(server).lease(), 'dc=x', { scope: 'sub', filter: '(objectClass=*)', attributes: ['objectGUID', 'uid'], explicitBufferAttributes: ['objectGUID'], pageSize: 5 });
    for await (const page of search) pages.push(page);
    expect(pages.map((p) => p.searchReferences)).toEqual([['ldap://elsewhere/ou=b,dc=x'], []]);
    const [entry] = pages[1]?.searchEntries ?? [];
    expect(Buffer.isBuffer(entry?.objectGUID) && entry.objectGUID.equals(guidToBytes(GUIDS[0] ?? ''))).toBe(true);
    expect(entry?.uid).toBe('p0');
  });

  it(`an empty page with the cookie just sent, ${SAME_COOKIE_LIMIT} times in a row, fails the read naming what the server does`, async () => {
    const server = await serve((i) => (i === 0 ? { entries: [person(0)], cookie: 'stuck' } : { entries: [], cookie: 'stuck' }));
    const error = await failure(async () => {
      for await (const page of pagedSearch(await poolFor(server).lease(), 'dc=x', { scope: 'sub', filter: '(objectClass=*)', attributes: [], pageSize: 5 })) void page;
    });
    expect(isRosterError(error, 'target.rejected')).toBe(true);
    expect(error.message).toMatch(new RegExp(`${SAME_COOKIE_LIMIT} empty pages in a row, each handing back the paging cookie it was sent`));
    expect(server.searches).toHaveLength(SAME_COOKIE_LIMIT + 1);
  });

  it('a few empty pages with the same cookie, then entries: read to the end (a slow server is not a stuck one)', async () => {
    const server = await serve((i) => (i === 0 ? { entries: [person(0)], cookie: 'same' } : i < 50 ? { entries: [], cookie: 'same' } : { entries: [person(1)] }));
    const read = await collect((async function* () {
      for await (const page of pagedSearch(await poolFor(server).lease(), 'dc=x', { scope: 'sub', filter: '(objectClass=*)', attributes: ['uid'], pageSize: 5 })) yield page.searchEntries;
    })());
    expect(read.map((e) => e.uid)).toEqual(['p0', 'p1']);
  });

  it(`empty pages with new cookies, ${EMPTY_PAGE_LIMIT} in a row, fail the read too`, async () => {
    const server = await serve((i) => ({ entries: [], cookie: `c${i}` }));
    const error = await failure(async () => {
      for await (const page of pagedSearch(await poolFor(server).lease(), 'dc=x', { scope: 'sub', filter: '(objectClass=*)', attributes: [], pageSize: 5 })) void page;
    });
    expect(error.message).toMatch(new RegExp(`${EMPTY_PAGE_LIMIT} empty pages in a row, with a new paging cookie each time`));
    expect(server.searches).toHaveLength(EMPTY_PAGE_LIMIT);
  }, 60_000);

  it('a result other than success fails the read: sizeLimitExceeded is named, never a shorter list', async () => {
    const server = await serve((i) => (i === 0 ? { entries: [person(0)], cookie: 'c1' } : { entries: [], status: 4 }));
    const reader = new EntryReader(poolFor(server), ['ou=people,dc=x'], ['inetOrgPerson'], ['uid'], 1);
    const error = await collect(reader.all()).then(() => undefined, (e: unknown) => toDirectoryError(e, 'corp-ldap', 'list'));
    expect(error?.message).toMatch(/size limit/);
  });

  it('is used only on the ldapts major it was checked on, with an error naming the version otherwise', () => {
    expect(() => assertPagedSearchInternals('8.2.0')).not.toThrow();
    expect(() => assertPagedSearchInternals()).not.toThrow();
    expect(() => assertPagedSearchInternals('9.0.0')).toThrow(/ldapts 8\.x.*9\.0\.0 is installed/);
    expect(() => assertPagedSearchInternals('')).toThrow(/ldapts 8\.x/);
  });
});

describe('every paged read in Roster reads past an empty page with a cookie', () => {
  it('ldap target accounts (EntryReader.all)', async () => {
    const server = await serve((i) => EMPTY_MIDDLE[i] ?? {});
    const reader = new EntryReader(poolFor(server), ['ou=people,dc=x'], ['inetOrgPerson'], ['uid'], 2);
    expect((await collect(reader.all())).map((e) => e.values.get('uid')?.[0])).toEqual(['p0', 'p1', 'p2']);
  });

  it('ad target accounts (AdEntryReader.all), objectGUID read as bytes', async () => {
    const server = await serve((i) => EMPTY_MIDDLE[i] ?? {});
    const reader = new AdEntryReader(poolFor(server), 'ou=people,dc=x', ['employeeNumber'], 2);
    expect((await collect(reader.all())).map((e) => e.guid)).toEqual(GUIDS);
  });

  it('group memberships (DirectoryGroups.all)', async () => {
    const server = await serve((i) => EMPTY_MIDDLE[i] ?? {});
    const groups = new DirectoryGroups({ base: 'dc=x', objectClass: 'groupOfNames', names: false, create: false, placeholder: undefined, pageSize: 2 }, poolFor(server));
    expect([...(await groups.all()).keys()]).toEqual([0, 1, 2].map((i) => `uid=p${i},ou=people,dc=x`));
  });

  it('uidNumbers in use (UidNumberAllocator): the next one is above the highest, not a duplicate of one after the empty page', async () => {
    // The range read (the first paged search) finds 1000 to 1002; every later search (the block check, the equality checks) finds nothing.
    let rangeRead = false;
    const server = await startFakeLdap((search) => {
      const cookie = search.paged?.cookie.toString();
      if (cookie === '' && rangeRead) return {};
      if (cookie === '') rangeRead = true;
      return EMPTY_MIDDLE[['', 'c1', 'c2'].indexOf(cookie ?? 'none')] ?? {};
    });
    servers.push(server);
    const allocator = new UidNumberAllocator(poolFor(server), ['ou=people,dc=x'], { min: 1000, max: 2000 });
    expect(await allocator.allocate((uidNumber) => Promise.resolve(uidNumber))).toBe(1003);
  });

  it('a directory source\'s full pass (DirectoryReader.search), and a stuck server fails it as source.unavailable', async () => {
    const connection = (url: string) => ({ url, bindDN: 'cn=reader,dc=x', password: 'secret', startTLS: false, timeoutMs: 5000, connectTimeoutMs: 5000, pageSize: 2, base: 'dc=x' });
    const server = await serve((i) => EMPTY_MIDDLE[i] ?? {});
    const reader = new DirectoryReader('corp', connection(server.url), '.');
    try {
      expect((await reader.search('(objectClass=inetOrgPerson)', ['employeeNumber', 'objectGUID'])).map((e) => e.values.get('objectguid')?.[0])).toEqual(GUIDS);
    } finally {
      await reader.close();
    }
    const stuck = await serve(() => ({ entries: [], cookie: 'same' }));
    const stuckReader = new DirectoryReader('corp', connection(stuck.url), '.');
    try {
      const error = await failure(() => stuckReader.search('(objectClass=inetOrgPerson)', ['employeeNumber']));
      expect(isRosterError(error, 'source.unavailable')).toBe(true);
      expect(error.message).toMatch(/empty pages in a row/);
    } finally {
      await stuckReader.close();
    }
  });
});
