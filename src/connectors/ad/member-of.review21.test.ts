import type { SearchOptions } from 'ldapts';
import { describe, expect, it } from 'vitest';
import type { ClientPool, DirectoryClient } from '../directory/pool.js';
import type { AdEntry } from './entries.js';
import { MemberOfCheck } from './member-of.js';

const GROUPS = 'OU=Groups,OU=Roster,DC=corp,DC=example';
const entry = (cn: string, memberOf?: string[]): AdEntry => ({
  dn: `CN=${cn},OU=People,OU=Roster,DC=corp,DC=example`, guid: cn, values: new Map(memberOf === undefined ? [] : [['memberof', memberOf]]),
});

/** A pool whose group searches answer `answer` for each filter; the filters asked are kept. */
function pool(answer: (filter: string) => unknown[] | Error): { pool: ClientPool; filters: string[] } {
  const filters: string[] = [];
  const client = {
    search(_base: string, options: SearchOptions) {
      const filter = String(options.filter);
      filters.push(filter);
      const result = answer(filter);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve({ searchEntries: result, searchReferences: [] });
    },
  } as unknown as DirectoryClient;
  return { pool: { use: <T>(run: (c: DirectoryClient) => Promise<T>) => run(client) } as unknown as ClientPool, filters };
}

describe('review21: ad memberOf the bind account may not read', () => {
  it('users read with memberOf cost no search; without it, one search per page, then one per user only when a group lists one', async () => {
    const none = pool(() => []);
    await new MemberOfCheck(none.pool, GROUPS).assertReadable([entry('a', [`CN=Staff,${GROUPS}`]), entry('b', [`CN=Staff,${GROUPS}`])]);
    expect(none.filters).toEqual([]);
    await new MemberOfCheck(none.pool, GROUPS).assertReadable([entry('a', [`CN=Staff,${GROUPS}`]), entry('b'), entry('c', [])]);
    expect(none.filters).toEqual([`(&(objectClass=group)(|(member=CN=b,OU=People,OU=Roster,DC=corp,DC=example)(member=CN=c,OU=People,OU=Roster,DC=corp,DC=example)))`]);
    // No groups configured: nothing to ask.
    await new MemberOfCheck(none.pool, undefined).assertReadable([entry('d')]);
    expect(none.filters).toHaveLength(1);
  });

  it('a group listing the user (more than one: the size limit hit) names that user and "Read memberOf"', async () => {
    const sizeLimit = Object.assign(new Error('Size limit exceeded'), { code: 4 });
    const hidden = pool((filter) => (filter.includes('CN=c,') ? sizeLimit : []));
    await expect(new MemberOfCheck(hidden.pool, GROUPS).assertReadable([entry('b'), entry('c')])).rejects.toMatchObject({
      code: 'target.rejected', message: expect.stringMatching(/^the directory returned CN=c,OU=People,.* without its memberOf while a group under groups\.base lists it in member: .*delegate "Read memberOf" \(Read property\) there to it$/),
    });
    expect(hidden.filters).toHaveLength(3);
  });
});
