import { beforeAll, describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { DirectoryGroups } from './groups.js';
import { pagedSearch, type SearchPage } from './paged-search.js';
import { ClientPool } from './pool.js';

/**
 * pagedSearch against a real slapd (RFC 2696 as OpenLDAP does it): across
 * many pages every entry comes back exactly once, no page is larger than
 * asked, and the group read built on it sees every group.
 */
const fixture = useSlapd();
const PEOPLE = 23;
const GROUPS = 9;

beforeAll(async () => {
  const { admin, slapd } = fixture;
  for (let i = 0; i < PEOPLE; i++) {
    await admin.add(`uid=p${i},ou=people,${slapd.suffix}`, { objectClass: 'inetOrgPerson', uid: `p${i}`, cn: `p${i}`, sn: 'p' });
  }
  for (let g = 0; g < GROUPS; g++) {
    await admin.add(`cn=g${g},ou=groups,${slapd.suffix}`, { objectClass: 'groupOfNames', cn: `g${g}`, member: `uid=p${g},ou=people,${slapd.suffix}` });
  }
});

function pool(): ClientPool {
  const { url, bindDN, password } = fixture.slapd;
  return new ClientPool({ url, bindDN, password, startTLS: false, tls: undefined, size: 2, timeoutMs: 5000, connectTimeoutMs: 5000 });
}

describe('pagedSearch (real slapd)', () => {
  it('every entry exactly once over many pages, each page at most the page size', async () => {
    const connections = pool();
    try {
      for (const pageSize of [1, 4, 7, 23, 500]) {
        const pages: SearchPage[] = [];
        const search = pagedSearch(await connections.lease(), `ou=people,${fixture.slapd.suffix}`, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'], pageSize });
        for await (const page of search) pages.push(page);
        const uids = pages.flatMap((p) => p.searchEntries.map((e) => String(e.uid)));
        expect(uids.length, `pageSize ${pageSize}`).toBe(PEOPLE);
        expect(new Set(uids).size, `pageSize ${pageSize}`).toBe(PEOPLE);
        expect(Math.max(...pages.map((p) => p.searchEntries.length)), `pageSize ${pageSize}`).toBeLessThanOrEqual(pageSize);
        expect(pages.length, `pageSize ${pageSize}`).toBeGreaterThanOrEqual(Math.ceil(PEOPLE / pageSize));
      }
    } finally {
      await connections.close();
    }
  });

  it('group memberships, read two groups a page, see every group once', async () => {
    const connections = pool();
    try {
      const groups = new DirectoryGroups({ base: `ou=groups,${fixture.slapd.suffix}`, objectClass: 'groupOfNames', names: true, create: false, placeholder: undefined, pageSize: 2 }, connections);
      const byMember = await groups.all();
      expect([...byMember.values()].flat().sort()).toEqual(Array.from({ length: GROUPS }, (_, g) => `cn=g${g},ou=groups,${fixture.slapd.suffix}`).sort());
    } finally {
      await connections.close();
    }
  });

  it('a read left after its first page is ended (page size 0); the same connection then reads everything again', async () => {
    const { url, bindDN, password } = fixture.slapd;
    const one = new ClientPool({ url, bindDN, password, startTLS: false, tls: undefined, size: 1, timeoutMs: 5000, connectTimeoutMs: 5000 });
    try {
      const search = () => one.lease().then((client) => pagedSearch(client, `ou=people,${fixture.slapd.suffix}`, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'], pageSize: 5 }));
      for (let round = 0; round < 3; round++) {
        for await (const page of await search()) {
          expect(page.searchEntries).toHaveLength(5);
          break;
        }
      }
      let read = 0;
      for await (const page of await search()) read += page.searchEntries.length;
      expect(read).toBe(PEOPLE);
    } finally {
      await one.close();
    }
  });
});

