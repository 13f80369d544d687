import { InsufficientAccessError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import type { ClientPool } from '../directory/pool.js';
import { PrimaryGroups, primaryGroupId } from './effective.js';

const DOMAIN_SID = Buffer.from([1, 4, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);

type Search = (base: string, options: { readonly scope: string }) => Promise<Record<string, unknown>[]>;

/** A pool answering the rootDSE, the domain object and group searches as `answer` says, counting searches. */
function pool(answer: Search) {
  const bases: string[] = [];
  const fake = {
    use: async <T>(work: (client: { search: (base: string, options: { scope: string }) => Promise<{ searchEntries: Record<string, unknown>[] }> }) => Promise<T>) =>
      work({ search: async (base, options) => { bases.push(`${base} ${options.scope}`); return { searchEntries: await answer(base, options) }; } }),
  };
  return { pool: fake as unknown as ClientPool, bases };
}

/** The rootDSE and the domain object (base reads); no group under the domain (a sub search). */
const directory: Search = async (base, options) => {
  if (base === '') return [{ dn: '', defaultNamingContext: 'DC=x' }];
  if (base === 'DC=x' && options.scope === 'base') return [{ dn: 'DC=x', objectSid: DOMAIN_SID }];
  return [];
};

describe('PrimaryGroups', () => {
  it('looks each RID up once, under the domain', async () => {
    const { pool: fake, bases } = pool(async (base, options) => (options.scope === 'sub' ? [{ dn: 'CN=Domain Users,CN=Users,DC=x' }] : directory(base, options)));
    const groups = new PrimaryGroups(fake);
    const found = await Promise.all([groups.dnOf(513), groups.dnOf(513), groups.of(new Map([['primarygroupid', ['513']]]))]);
    expect(found).toEqual(['CN=Domain Users,CN=Users,DC=x', 'CN=Domain Users,CN=Users,DC=x', 'CN=Domain Users,CN=Users,DC=x']);
    expect(bases).toEqual([' base', 'DC=x base', 'DC=x sub']);
  });

  it('reads an account without its primary group when the directory refuses the look-up (no access)', async () => {
    const { pool: fake } = pool(async (base, options) => { if (base === 'DC=x') throw new InsufficientAccessError('no'); return directory(base, options); });
    expect(await new PrimaryGroups(fake).dnOf(513)).toBeUndefined();
  });

  it('fails the operation when the connection fails, and tries again next time', async () => {
    let broken = true;
    const { pool: fake } = pool(async (base, options) => { if (broken) throw new Error('socket hang up'); return directory(base, options); });
    const groups = new PrimaryGroups(fake);
    await expect(groups.dnOf(513)).rejects.toThrow('socket hang up');
    broken = false;
    expect(await groups.dnOf(513)).toBeUndefined(); // Asked again (no group with that SID here), not the cached failure.
  });

  it('reads primaryGroupID only as a whole number', () => {
    expect(primaryGroupId(new Map([['primarygroupid', ['513']]]))).toBe(513);
    expect(primaryGroupId(new Map([['primarygroupid', ['x']]]))).toBeUndefined();
    expect(primaryGroupId(new Map())).toBeUndefined();
  });
});
