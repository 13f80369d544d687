import { normaliseDn } from './dn.js';
import { resultCodeOf, ResultCode } from './errors.js';
import { andFilter, escapeFilterValue } from './escape.js';
import { entryValues } from './normalise.js';
import { pagedSearch } from './paged-search.js';
import type { ClientPool } from './pool.js';
import type { Entry } from 'ldapts';

/** inappropriateMatching (RFC 4511): the server has no rule for the filter's match on that attribute. */
export const INAPPROPRIATE_MATCHING = 18;

/**
 * The two searches that find the groups holding `dn` as a uniqueMember
 * (RFC 4517 Name and Optional UID, `<dn>` or `<dn>#'0101'B`), without
 * reading every group:
 *
 * - `exact`: `(uniqueMember=<dn>)`. uniqueMemberMatch is strict (RFC 4517
 *   4.2.31): an assertion without a UID matches only values without one, so
 *   these groups need no check, and only their DNs are asked for.
 * - `withUid`: `(uniqueMember~=<dn>)` but not `(uniqueMember=<dn>)`: slapd's
 *   uniqueMemberMatch, used for an approximate match, compares the DN parts
 *   only (checked against slapd 2.5: `~=` finds `<dn>#'0101'B`, `=` does
 *   not). What "approximately" means is the server's to say (389-DS matches
 *   by sound), so these groups come with their values and the caller keeps
 *   only those where one value's DN part is `dn`. A server whose approximate
 *   match is its equality finds none here: a membership written with a UID
 *   is then not seen (and a grant adds the plain value beside it).
 */
export function uniqueMemberFilters(groupClass: string, dn: string): { readonly exact: string; readonly withUid: string } {
  const value = escapeFilterValue(dn);
  const exact = `(uniqueMember=${value})`;
  return { exact: andFilter(groupClass, exact), withUid: andFilter(groupClass, `(uniqueMember~=${value})`, `(!${exact})`) };
}

/** A group and its values of the member attribute. */
export interface GroupValues {
  readonly dn: string;
  readonly values: readonly string[];
}

/**
 * The DNs of the groups under `base` holding `dn` as a uniqueMember, with or
 * without a UID (uniqueMemberFilters): the groups holding it plainly by DN
 * only, those holding it with a UID kept when one of their values' DN part
 * (`keyOf`) is `dn`'s. A server that refuses the approximate match
 * (inappropriateMatching) has every group read instead (`everyGroup`).
 */
export async function uniqueMemberGroups(pool: ClientPool, input: {
  readonly base: string;
  readonly groupClass: string;
  readonly dn: string;
  readonly pageSize: number;
  readonly keyOf: (value: string) => string;
  readonly everyGroup: () => Promise<AsyncIterable<GroupValues>>;
}): Promise<string[]> {
  const { exact, withUid } = uniqueMemberFilters(input.groupClass, input.dn);
  const search = (filter: string, attributes: string[]) => searchAll(pool, input.base, { filter, attributes, pageSize: input.pageSize });
  const [plain, tagged] = await Promise.all([
    search(exact, ['1.1']),
    search(withUid, ['uniqueMember']).catch((error: unknown) => {
      if (resultCodeOf(error) !== INAPPROPRIATE_MATCHING) throw error;
      return undefined;
    }),
  ]);
  const found = plain.map((group) => group.dn);
  const held = new Set(found.map((group) => normaliseDn(group)));
  const key = input.keyOf(input.dn);
  const candidates: AsyncIterable<GroupValues> | readonly GroupValues[] = tagged === undefined
    ? await input.everyGroup()
    : tagged.map((group) => ({ dn: group.dn, values: entryValues(group).get('uniquemember') ?? [] }));
  for await (const group of candidates) {
    if (!held.has(normaliseDn(group.dn)) && group.values.some((value) => input.keyOf(value) === key)) found.push(group.dn);
  }
  return found;
}

/**
 * Every entry a subtree search under `base` finds. One plain search; only
 * when it hits the bind DN's size limit (slapd's default is 500: an account
 * in more groups) the search is made again in pages
 * (pagedSearch), which a server limits apart (slapd's size.prtotal, what the
 * size-limit error advises raising). Not paged from the start: a paged search
 * waits for its turn on the connection, behind a whole list that may be
 * paging there (paged-search.ts pagingTurns).
 */
export async function searchAll(pool: ClientPool, base: string, options: { readonly filter: string; readonly attributes: readonly string[]; readonly pageSize: number }): Promise<Entry[]> {
  try {
    return (await pool.use((c) => c.search(base, { scope: 'sub', filter: options.filter, attributes: [...options.attributes] }))).searchEntries;
  } catch (error) {
    if (resultCodeOf(error) !== ResultCode.sizeLimitExceeded) throw error;
  }
  return pool.use(async (c) => {
    const entries: Entry[] = [];
    for await (const page of pagedSearch(c, base, { scope: 'sub', ...options })) entries.push(...page.searchEntries);
    return entries;
  });
}
