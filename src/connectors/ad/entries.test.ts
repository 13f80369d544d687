import { describe, expect, it } from 'vitest';
import type { SearchOptions } from 'ldapts';
import type { ClientPool, DirectoryClient } from '../directory/pool.js';
import { domainHolders, domainMinPwdLength } from './domain.js';
import { AdEntryReader } from './entries.js';

/** A pool of one client answering every search from `answer` (by base DN), recording what was asked. */
function pool(answer: (base: string, options: SearchOptions) => Record<string, unknown>[]) {
  const searches: { base: string; filter: string }[] = [];
  const client = {
    search(base: string, options: SearchOptions) {
      searches.push({ base, filter: String(options.filter) });
      return Promise.resolve({ searchEntries: answer(base, options), searchReferences: [] });
    },
  } as unknown as DirectoryClient;
  // Only `use` is called by the code under test; the cast stands for a pool of this one client.
  return { searches, pool: { use: <T>(run: (c: DirectoryClient) => Promise<T>) => run(client) } as unknown as ClientPool };
}

describe('AdEntryReader key lookups', () => {
  const guid = Buffer.alloc(16, 1);
  it('refuses a key two users hold (target.conflict, not retryable), naming both', async () => {
    const { pool: twice } = pool(() => [
      { dn: 'CN=Ann,OU=People,OU=Roster,DC=x', objectGUID: guid, employeeID: 'E1' },
      { dn: 'CN=Ann Copy,OU=Old,OU=Roster,DC=x', objectGUID: guid, employeeID: 'E1' },
    ]);
    const error = await new AdEntryReader(twice, 'OU=Roster,DC=x', [], 10).byAttribute('employeeID', 'E1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'target.conflict', retryable: false });
    expect((error as Error).message).toContain('employeeID E1 is held by more than one user below OU=Roster,DC=x (CN=Ann,OU=People,OU=Roster,DC=x and CN=Ann Copy,OU=Old,OU=Roster,DC=x)');
  });
  it('returns the one user holding it, and nothing when none does', async () => {
    const { pool: once } = pool(() => [{ dn: 'CN=Ann,OU=People,OU=Roster,DC=x', objectGUID: guid }]);
    expect((await new AdEntryReader(once, 'OU=Roster,DC=x', [], 10).byAttribute('employeeID', 'E1'))?.dn).toBe('CN=Ann,OU=People,OU=Roster,DC=x');
    const { pool: none } = pool(() => []);
    expect(await new AdEntryReader(none, 'OU=Roster,DC=x', [], 10).byAttribute('employeeID', 'E1')).toBeUndefined();
  });
});

describe('domain reads', () => {
  const rootDse = (base: string) => (base === '' ? [{ dn: '', defaultNamingContext: 'DC=corp,DC=example' }] : undefined);
  it('minPwdLength comes from the domain root the RootDSE names', async () => {
    const { pool: p, searches } = pool((base) => rootDse(base) ?? [{ dn: base, minPwdLength: '14' }]);
    expect(await domainMinPwdLength(p)).toBe(14);
    expect(searches.map((s) => s.base)).toEqual(['', 'DC=corp,DC=example']);
    const { pool: silent } = pool((base) => rootDse(base) ?? [{ dn: base }]);
    expect(await domainMinPwdLength(silent)).toBeUndefined();
  });
  it('the holders of a name are searched in the whole domain with escaped values', async () => {
    const { pool: p, searches } = pool((base) => rootDse(base) ?? [{ dn: 'CN=J Doe,CN=Users,DC=corp,DC=example' }]);
    expect(await domainHolders(p, { sam: 'j*doe', upn: 'j*doe@corp.example' })).toEqual(['CN=J Doe,CN=Users,DC=corp,DC=example']);
    expect(searches[1]).toEqual({ base: 'DC=corp,DC=example', filter: '(|(sAMAccountName=j\\2adoe)(userPrincipalName=j\\2adoe@corp.example))' });
  });
});
