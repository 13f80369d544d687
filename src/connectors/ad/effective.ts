import { AndFilter, EqualityFilter, ExtensibleFilter, OrFilter, type Filter } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import { sameDn } from '../directory/dn.js';
import { resultCodeOf } from '../directory/errors.js';
import type { ClientPool } from '../directory/pool.js';
import { defaultNamingContext } from './domain.js';

/** LDAP_MATCHING_RULE_IN_CHAIN: membership through any depth of nested groups. */
export const IN_CHAIN = '1.2.840.113556.1.4.1941';

/** Groups that have any of `dns` as a member, at any depth. */
export function nestedGroupsFilter(dns: readonly string[]): Filter {
  const chains = dns.map((dn) => new ExtensibleFilter({ matchType: 'member', rule: IN_CHAIN, value: dn }));
  return new AndFilter({ filters: [
    new EqualityFilter({ attribute: 'objectClass', value: 'group' }),
    chains.length === 1 ? chains[0]! : new OrFilter({ filters: chains }),
  ] });
}

/**
 * The DNs of every group the user is in under `base` (the domain): through
 * its memberships and nested groups, and through its primary group
 * (`primary`: Domain Users unless changed, and every group that one is
 * nested in). The primary group is in neither the user's memberOf nor the
 * group's member (AD keeps it as the user's primaryGroupID alone), so a
 * search on member alone does not find it.
 */
export async function effectiveGroupDns(pool: ClientPool, base: string, userDn: string, primary: string | undefined): Promise<string[]> {
  const { searchEntries } = await pool.use((c) => c.search(base, {
    scope: 'sub', filter: nestedGroupsFilter(primary === undefined ? [userDn] : [userDn, primary]), attributes: ['1.1'],
  }));
  const dns = searchEntries.map((group) => group.dn);
  return primary === undefined || dns.includes(primary) ? dns : [...dns, primary];
}

/** A domain SID (S-1-5-21-a-b-c) with one more sub-authority, the RID: the SID of an object of that domain. */
export function sidWithRid(domainSid: Uint8Array, rid: number): Buffer | undefined {
  const sid = Buffer.from(domainSid);
  const count = sid[1];
  if (count === undefined || sid.length !== 8 + 4 * count || count >= 15 || !Number.isInteger(rid) || rid < 0 || rid > 0xffffffff) return undefined;
  const out = Buffer.alloc(sid.length + 4);
  sid.copy(out);
  out[1] = count + 1;
  out.writeUInt32LE(rid, sid.length);
  return out;
}

/**
 * Primary groups by RID (primaryGroupID), for the connector's life: most
 * users share one (513, Domain Users), so reading accounts costs one search
 * per distinct primary group, not one per user. A failed lookup is not kept.
 */
export class PrimaryGroups {
  readonly #pool: ClientPool;
  readonly #byRid = new Map<number, Promise<string | undefined>>();
  #domain: Promise<{ readonly context: string; readonly sid: Buffer } | undefined> | undefined;

  constructor(pool: ClientPool) {
    this.#pool = pool;
  }

  /** The DN of the primary group of an entry (its values as entryValues gives them, primaryGroupID among them). */
  of(values: ReadonlyMap<string, readonly string[]>): Promise<string | undefined> {
    const rid = primaryGroupId(values);
    return rid === undefined ? Promise.resolve(undefined) : this.dnOf(rid);
  }

  /**
   * The DN of the domain's group with this RID; undefined when there is none
   * the bind can read (the directory answering no such object, no access, a
   * referral: the account then reads without its primary group, as before).
   */
  dnOf(rid: number): Promise<string | undefined> {
    let found = this.#byRid.get(rid);
    if (found === undefined) {
      found = this.#lookUp(rid).catch((error: unknown) => {
        if (resultCodeOf(error) === undefined) throw error; // The connection failed: the operation fails (retryable), not its answer.
        return undefined;
      });
      this.#byRid.set(rid, found);
      found.catch(() => this.#byRid.delete(rid));
    }
    return found;
  }

  async #lookUp(rid: number): Promise<string | undefined> {
    const domain = await this.#readDomain();
    const sid = domain === undefined ? undefined : sidWithRid(domain.sid, rid);
    if (domain === undefined || sid === undefined) return undefined;
    const { searchEntries } = await this.#pool.use((c) => c.search(domain.context, {
      scope: 'sub', filter: new AndFilter({ filters: [
        new EqualityFilter({ attribute: 'objectClass', value: 'group' }), new EqualityFilter({ attribute: 'objectSid', value: sid }),
      ] }), attributes: ['1.1'],
    }));
    return searchEntries[0]?.dn;
  }

  #readDomain(): Promise<{ readonly context: string; readonly sid: Buffer } | undefined> {
    this.#domain ??= (async () => {
      const context = await defaultNamingContext(this.#pool);
      if (context === undefined || context === '') return undefined;
      const { searchEntries } = await this.#pool.use((c) => c.search(context, {
        scope: 'base', filter: '(objectClass=*)', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid', 'objectsid'],
      }));
      const sid = searchEntries[0]?.['objectSid'] ?? searchEntries[0]?.['objectsid'];
      return Buffer.isBuffer(sid) ? { context, sid } : undefined;
    })();
    this.#domain.catch(() => { this.#domain = undefined; });
    return this.#domain;
  }
}

/** An entry's primaryGroupID (its values as entryValues gives them), or undefined. */
export function primaryGroupId(values: ReadonlyMap<string, readonly string[]>): number | undefined {
  const raw = values.get('primarygroupid')?.[0];
  const rid = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(rid) && rid >= 0 ? rid : undefined;
}

/** Refuse to take an account out of its primary group: AD does not, and a revoke that did nothing would be planned again and again. */
export function assertNotPrimary(operation: string, entitlement: string, userDn: string, groupDn: () => string, primary: string | undefined): void {
  if (primary === undefined) return;
  let dn: string;
  try {
    dn = groupDn();
  } catch {
    return; // Not a group Roster manages: the revoke itself says so (or is a no-op).
  }
  if (!sameDn(primary, dn)) return;
  throw new RosterError('target.rejected', `${operation}: ${entitlement} is the primary group of ${userDn} (primaryGroupID), `
    + 'and Active Directory does not take an account out of its primary group: make another group its primary group first');
}
