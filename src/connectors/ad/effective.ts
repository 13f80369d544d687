import { AndFilter, EqualityFilter, ExtensibleFilter, OrFilter, type Filter } from 'ldapts';
import type { ClientPool } from '../directory/pool.js';

/** LDAP_MATCHING_RULE_IN_CHAIN: membership through any depth of nested groups. */
export const IN_CHAIN = '1.2.840.113556.1.4.1941';

/**
 * The objectSid of a user's primary group: the user's own SID (domain SID
 * and the user's RID) with its last sub-authority, the RID, replaced by
 * primaryGroupID (513, Domain Users, unless someone changed it).
 * undefined when the bytes are not a SID with at least one sub-authority.
 */
export function primaryGroupSid(userSid: Uint8Array, primaryGroupId: number): Buffer | undefined {
  const sid = Buffer.from(userSid);
  const count = sid[1];
  if (sid.length < 12 || count === undefined || count < 1 || sid.length !== 8 + 4 * count) return undefined;
  if (!Number.isInteger(primaryGroupId) || primaryGroupId < 0 || primaryGroupId > 0xffffffff) return undefined;
  sid.writeUInt32LE(primaryGroupId, sid.length - 4);
  return sid;
}

/**
 * The DN of the user's primary group, looked up under `base` by objectSid;
 * undefined when the user has none that can be read. The primary group is
 * not in the user's memberOf nor in the group's member (AD keeps it as the
 * user's primaryGroupID alone), so a search on member does not find it.
 */
export async function primaryGroupDn(pool: ClientPool, base: string, userDn: string): Promise<string | undefined> {
  const { searchEntries } = await pool.use((c) => c.search(userDn, {
    scope: 'base', filter: '(objectClass=*)', attributes: ['objectSid', 'primaryGroupID'], explicitBufferAttributes: ['objectSid', 'objectsid'],
  }));
  const entry = searchEntries[0];
  const sid = entry?.['objectSid'] ?? entry?.['objectsid'];
  const id = Number(entry?.['primaryGroupID'] ?? entry?.['primarygroupid']);
  if (!Buffer.isBuffer(sid)) return undefined;
  const groupSid = primaryGroupSid(sid, id);
  if (groupSid === undefined) return undefined;
  // A filter object with the bytes, not text: ldapts would send a `\xx` escape in filter text UTF-8 encoded.
  const { searchEntries: groups } = await pool.use((c) => c.search(base, {
    scope: 'sub', filter: new AndFilter({ filters: [
      new EqualityFilter({ attribute: 'objectClass', value: 'group' }), new EqualityFilter({ attribute: 'objectSid', value: groupSid }),
    ] }), attributes: ['1.1'],
  }));
  return groups[0]?.dn;
}

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
 * its memberships and nested groups, and through its primary group (Domain
 * Users, and every group that one is nested in).
 */
export async function effectiveGroupDns(pool: ClientPool, base: string, userDn: string): Promise<string[]> {
  const primary = await primaryGroupDn(pool, base, userDn);
  const { searchEntries } = await pool.use((c) => c.search(base, {
    scope: 'sub', filter: nestedGroupsFilter(primary === undefined ? [userDn] : [userDn, primary]), attributes: ['1.1'],
  }));
  const dns = searchEntries.map((group) => group.dn);
  return primary === undefined || dns.includes(primary) ? dns : [...dns, primary];
}
