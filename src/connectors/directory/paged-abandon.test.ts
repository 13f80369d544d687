import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLdap, type FakeLdap, type FakePage } from '../../../test/support/fake-ldap.js';
import { pagedSearch } from './paged-search.js';
import { ClientPool } from './pool.js';

/**
 * A paged read left early (a for-await break, or a throw in its loop: a
 * referral refused, a consumer failing) ends the server's paged search as
 * RFC 2696 says, with a page size of 0 and the last cookie: the server drops
 * what it keeps for it (Active Directory allows only a few such result sets
 * per connection). A read to its end sends nothing more.
 */
const servers: FakeLdap[] = [];
const pools: ClientPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const entry = (i: number) => ({ dn: `uid=p${i},dc=x`, attributes: { uid: `p${i}` } });
const PAGES: readonly FakePage[] = [{ entries: [entry(0), entry(1)], cookie: 'c1' }, { entries: [entry(2), entry(3)], cookie: 'c2' }, { entries: [entry(4)] }];

async function setUp(): Promise<{ server: FakeLdap; pool: ClientPool }> {
  // A page size of 0 ends the search: the server answers it with an empty, final page.
  const server = await startFakeLdap((search, index) => (search.paged?.size === 0 ? {} : PAGES[index] ?? {}));
  servers.push(server);
  const pool = new ClientPool({ url: server.url, bindDN: 'cn=reader,dc=x', password: 'secret', startTLS: false, tls: undefined, size: 1, timeoutMs: 5000, connectTimeoutMs: 5000 });
  pools.push(pool);
  return { server, pool };
}

const read = (pool: ClientPool) => async () => pagedSearch(await pool.lease(), 'dc=x', { scope: 'sub', filter: '(objectClass=*)', attributes: ['uid'], pageSize: 2 });
const asked = (server: FakeLdap) => server.searches.map((s) => [s.paged?.size, s.paged?.cookie.toString()]);

describe('a paged read left early', () => {
  it('a break after the first page: the search is ended with size 0 and that page\'s cookie', async () => {
    const { server, pool } = await setUp();
    for await (const page of await read(pool)()) {
      expect(page.searchEntries).toHaveLength(2);
      break;
    }
    expect(asked(server)).toEqual([[2, ''], [0, 'c1']]);
  });

  it('a throw in the loop after the second page: ended with the second cookie, the error the caller\'s', async () => {
    const { server, pool } = await setUp();
    let pages = 0;
    const consume = async () => {
      for await (const _page of await read(pool)()) if (++pages === 2) throw new Error('the consumer failed');
    };
    await expect(consume()).rejects.toThrow('the consumer failed');
    expect(asked(server)).toEqual([[2, ''], [2, 'c1'], [0, 'c2']]);
  });

  it('a read to its end sends nothing more', async () => {
    const { server, pool } = await setUp();
    const all: unknown[] = [];
    for await (const page of await read(pool)()) all.push(...page.searchEntries);
    expect(all).toHaveLength(5);
    expect(asked(server)).toEqual([[2, ''], [2, 'c1'], [2, 'c2']]);
  });
});
