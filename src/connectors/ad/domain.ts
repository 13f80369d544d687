import { equalityFilter, orFilter } from '../directory/escape.js';
import { entryValues } from '../directory/normalise.js';
import type { ClientPool } from '../directory/pool.js';

/** The domain's naming context (DC=corp,DC=example), from the RootDSE. */
export async function defaultNamingContext(pool: ClientPool): Promise<string | undefined> {
  const { searchEntries } = await pool.use((c) => c.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['defaultNamingContext'] }));
  return entryValues(searchEntries[0] ?? {}).get('defaultnamingcontext')?.[0];
}

/**
 * The domain's minimum password length (minPwdLength of the domain root
 * object), or undefined when the DC does not say. A base read: no referrals.
 */
export async function domainMinPwdLength(pool: ClientPool): Promise<number | undefined> {
  const domain = await defaultNamingContext(pool);
  if (domain === undefined) return undefined;
  const { searchEntries } = await pool.use((c) => c.search(domain, { scope: 'base', filter: '(objectClass=*)', attributes: ['minPwdLength'] }));
  const value = Number(entryValues(searchEntries[0] ?? {}).get('minpwdlength')?.[0]);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * The DNs of every object in the whole domain holding this sAMAccountName or
 * userPrincipalName (both are unique domain-wide, not per OU). For an error
 * message only: a search from the domain root may also return referrals to
 * other partitions, which are ignored.
 */
export async function domainHolders(pool: ClientPool, names: { readonly sam: string | undefined; readonly upn: string | undefined }): Promise<string[]> {
  const tests = [
    ...(names.sam === undefined ? [] : [equalityFilter('sAMAccountName', names.sam)]),
    ...(names.upn === undefined ? [] : [equalityFilter('userPrincipalName', names.upn)]),
  ];
  const domain = tests.length === 0 ? undefined : await defaultNamingContext(pool);
  if (domain === undefined) return [];
  const { searchEntries } = await pool.use((c) => c.search(domain, { scope: 'sub', filter: orFilter(...tests), attributes: ['1.1'], sizeLimit: 10 }));
  return searchEntries.map((e) => e.dn);
}
