import { RosterError } from '../../core/errors.js';
import { resultCodeOf, ResultCode } from '../directory/errors.js';
import { equalityFilter } from '../directory/escape.js';
import type { ClientPool } from '../directory/pool.js';
import type { AdEntry } from './entries.js';

const RIGHT = '"Read memberOf" (Read property)';

/** The refusal of a user whose memberOf the bind account may not read. */
export function unreadableMemberOf(dn: string, how: string): RosterError {
  return new RosterError('target.rejected',
    `the directory returned ${dn} ${how}: the bind account may not read it, and without it Roster cannot tell which groups the account is in ` +
    `(read as none, a mover would keep the groups of their old job and every grant would be sent again): delegate ${RIGHT} there to it`,
    { details: { dn, right: RIGHT } });
}

/**
 * A user in no group has no memberOf; one the bind account may not read
 * comes back the same: Windows AD leaves the attribute out, Samba sends it
 * with no values, and ldapts gives both (as it gives any attribute asked for
 * and absent) as no values. Read as "in no group", the account's
 * entitlements would be empty: every grant sent again, a mover's old groups
 * never revoked. So for the users read without memberOf, the groups under
 * groups.base are asked whether any lists one of them in `member` (one
 * search per page of users); one that does means memberOf was hidden, and
 * that user is refused, naming the right. Users read with memberOf (the
 * usual case: everyone is in a birthright group) cost nothing.
 */
export class MemberOfCheck {
  readonly #pool: ClientPool;
  readonly #groupsBase: string | undefined;

  constructor(pool: ClientPool, groupsBase: string | undefined) {
    this.#pool = pool;
    this.#groupsBase = groupsBase;
  }

  async assertReadable(entries: readonly AdEntry[]): Promise<void> {
    const base = this.#groupsBase;
    const without = entries.filter((entry) => (entry.values.get('memberof') ?? []).length === 0);
    if (base === undefined || without.length === 0) return;
    const members = (list: readonly AdEntry[]) => `(&(objectClass=group)(|${list.map((entry) => equalityFilter('member', entry.dn)).join('')}))`;
    const listed = async (list: readonly AdEntry[]) => {
      try {
        const { searchEntries } = await this.#pool.use((c) => c.search(base, { scope: 'sub', filter: members(list), attributes: ['1.1'], sizeLimit: 1 }));
        return searchEntries.length > 0;
      } catch (error) {
        // More than one group lists them: the one asked for was found.
        if (resultCodeOf(error) === ResultCode.sizeLimitExceeded) return true;
        throw error;
      }
    };
    if (!await listed(without)) return;
    // Rare (a bind account that may not read memberOf): find which user to name, one search each.
    for (const entry of without) {
      if (await listed([entry])) throw unreadableMemberOf(entry.dn, 'without its memberOf while a group under groups.base lists it in member');
    }
  }
}
