import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeLdap } from '../../../test/support/fake-ldap.js';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { isRosterError } from '../../core/errors.js';
import { isConnectionError } from './errors.js';
import { pagedSearch, type SearchPage } from './paged-search.js';
import { ClientPool } from './pool.js';

/**
 * Paged reads that overlap on one pooled connection. OpenLDAP keeps one
 * paged search per connection: a second paged search started on it makes
 * the first one's cookie "invalid or old" (unwillingToPerform). The pool
 * hands the same connection to several callers (lease() round robin,
 * use() the least busy), so two paged reads under way at once (a reconcile's
 * list and an executor job's group read, two jobs' uniqueMember group reads)
 * may land on one connection.
 */
const fixture = useSlapd();
const PEOPLE = 7;
const GROUPS = 7;

beforeAll(async () => {
  const { admin, slapd } = fixture;
  for (let i = 0; i < PEOPLE; i++) {
    await admin.add(`uid=p${i},ou=people,${slapd.suffix}`, { objectClass: 'inetOrgPerson', uid: `p${i}`, cn: `p${i}`, sn: 'p' });
  }
  for (let g = 0; g < GROUPS; g++) {
    await admin.add(`cn=g${g},ou=groups,${slapd.suffix}`, {
      objectClass: 'groupOfUniqueNames', cn: `g${g}`, uniqueMember: Array.from({ length: PEOPLE }, (_, i) => `uid=p${i},ou=people,${slapd.suffix}`),
    });
  }
});

function pool(size: number): ClientPool {
  const { url, bindDN, password } = fixture.slapd;
  return new ClientPool({ url, bindDN, password, startTLS: false, tls: undefined, size, timeoutMs: 5000, connectTimeoutMs: 5000 });
}

describe('pagedSearch: paged reads overlapping on one connection (real slapd)', () => {
  it('two paged reads interleaved on one connection each read every entry once', async () => {
    const connections = pool(1);
    try {
      const client = await connections.lease();
      const options = { scope: 'sub' as const, filter: '(objectClass=inetOrgPerson)', attributes: ['uid'], pageSize: 2 };
      const first = pagedSearch(client, `ou=people,${fixture.slapd.suffix}`, options)[Symbol.asyncIterator]();
      const second = pagedSearch(client, `ou=people,${fixture.slapd.suffix}`, options)[Symbol.asyncIterator]();
      const read = async (pages: AsyncIterator<SearchPage>): Promise<string[]> => {
        const uids: string[] = [];
        for (let page = await pages.next(); page.done !== true; page = await pages.next()) uids.push(...page.value.searchEntries.map((e) => String(e.uid)));
        return uids;
      };
      // Both under way at once, as two callers' reads are: neither waits for the other to finish before asking.
      const [a, b] = await Promise.all([read(first), read(second)]);
      expect(a.sort()).toEqual(Array.from({ length: PEOPLE }, (_, i) => `p${i}`).sort());
      expect(b.sort()).toEqual(a);
    } finally {
      await connections.close();
    }
  });

  it('an ldap target with uniqueMember groups answers several get()s at once (each reads the groups page by page)', async () => {
    const s = fixture.slapd.suffix;
    const { connector } = fixture.hooked({
      pageSize: 2,
      users: { base: `ou=people,${s}`, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { uid: 'uid' }, defaults: { cn: '{uid}', sn: '{uid}' } },
      groups: { base: `ou=groups,${s}`, objectClass: 'groupOfUniqueNames', names: true },
    });
    const { searchEntries } = await fixture.admin.search(`ou=people,${s}`, { scope: 'one', attributes: ['entryUUID'] });
    const ids = searchEntries.map((e) => String(e.entryUUID));
    expect(ids).toHaveLength(PEOPLE);
    const accounts = await Promise.all(ids.map((id) => connector.get(id)));
    for (const account of accounts) expect(account?.entitlements).toHaveLength(GROUPS);
  });

  it('a read abandoned after its first page leaves the connection to the next paged read, which reads everything', async () => {
    const connections = pool(1);
    try {
      const client = await connections.lease();
      const options = { scope: 'sub' as const, filter: '(objectClass=inetOrgPerson)', attributes: ['uid'], pageSize: 2 };
      for await (const page of pagedSearch(client, `ou=people,${fixture.slapd.suffix}`, options)) {
        expect(page.searchEntries).toHaveLength(2);
        break;
      }
      const uids: string[] = [];
      for await (const page of pagedSearch(client, `ou=people,${fixture.slapd.suffix}`, options)) uids.push(...page.searchEntries.map((e) => String(e.uid)));
      expect(uids).toHaveLength(PEOPLE);
    } finally {
      await connections.close();
    }
  });
});

describe('pagedSearch: the connection lost mid-read (real slapd killed)', () => {
  it('fails the read as a connection error; the pool then reads everything on a fresh connection', async () => {
    const connections = pool(1);
    try {
      const options = { scope: 'sub' as const, filter: '(objectClass=inetOrgPerson)', attributes: ['uid'], pageSize: 2 };
      const outcome = await (async () => {
        for await (const page of pagedSearch(await connections.lease(), `ou=people,${fixture.slapd.suffix}`, options)) {
          expect(page.searchEntries).toHaveLength(2);
          await fixture.slapd.kill();
        }
      })().then(() => undefined, (error: unknown) => error);
      expect(isConnectionError(outcome)).toBe(true);
      await fixture.slapd.restart();
      const uids: string[] = [];
      for await (const page of pagedSearch(await connections.lease(), `ou=people,${fixture.slapd.suffix}`, options)) uids.push(...page.searchEntries.map((e) => String(e.uid)));
      expect(uids).toHaveLength(PEOPLE);
    } finally {
      await connections.close();
    }
  });
});

describe('pagedSearch: a server that sends the same entries again and again (fake server)', () => {
  it('a page of entries already sent in this search fails the read instead of reading (and yielding) them forever', async () => {
    // A proxy that drops the cookie on the way to its backend: every page is the first one again, with a cookie.
    const server = await startFakeLdap(() => ({
      entries: [{ dn: 'uid=p0,ou=people,dc=x', attributes: { uid: 'p0' } }, { dn: 'uid=p1,ou=people,dc=x', attributes: { uid: 'p1' } }],
      cookie: 'again',
    }));
    const connections = new ClientPool({ url: server.url, bindDN: 'cn=reader,dc=x', password: 'secret', startTLS: false, tls: undefined, size: 1, timeoutMs: 5000, connectTimeoutMs: 5000 });
    try {
      const uids: string[] = [];
      const outcome = await (async () => {
        for await (const page of pagedSearch(await connections.lease(), 'ou=people,dc=x', { scope: 'sub', filter: '(objectClass=*)', attributes: ['uid'], pageSize: 2 })) {
          uids.push(...page.searchEntries.map((e) => String(e.uid)));
          if (uids.length > 40) return 'still reading';
        }
        return 'ended';
      })().catch((error: unknown) => error);
      expect(isRosterError(outcome, 'target.rejected')).toBe(true);
      expect((outcome as Error).message).toMatch(/same entries again/);
      expect(uids).toEqual(['p0', 'p1']);
    } finally {
      await connections.close();
      await server.close();
    }
  });

  it('pages of different entries with the same cookie each time (a server whose cookie names its paging slot) read to the end', async () => {
    const server = await startFakeLdap((_search, i) => (i < 3
      ? { entries: [{ dn: `uid=p${i},ou=people,dc=x`, attributes: { uid: `p${i}` } }], cookie: 'slot0' }
      : { entries: [{ dn: 'uid=p3,ou=people,dc=x', attributes: { uid: 'p3' } }] }));
    const connections = new ClientPool({ url: server.url, bindDN: 'cn=reader,dc=x', password: 'secret', startTLS: false, tls: undefined, size: 1, timeoutMs: 5000, connectTimeoutMs: 5000 });
    try {
      const uids: string[] = [];
      for await (const page of pagedSearch(await connections.lease(), 'ou=people,dc=x', { scope: 'sub', filter: '(objectClass=*)', attributes: ['uid'], pageSize: 1 })) {
        uids.push(...page.searchEntries.map((e) => String(e.uid)));
      }
      expect(uids).toEqual(['p0', 'p1', 'p2', 'p3']);
    } finally {
      await connections.close();
      await server.close();
    }
  });
});
