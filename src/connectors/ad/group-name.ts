import { RosterError } from '../../core/errors.js';
import { leafValue, parseDn } from '../directory/dn.js';

/**
 * The longest name (cn) an AD group may have: the schema's rangeUpper for cn,
 * counted as AD counts it, in UTF-16 code units (String.length: a character
 * outside the Basic Multilingual Plane, an emoji, counts two). Samba 4.17
 * refuses one more with LDAP 21 ("objectclass_attrs: attribute 'cn' … contains
 * at least one invalid value"), as Windows does. A group's sAMAccountName,
 * made from the cn (sam-account-name.ts adGroupAccountName), is never longer.
 */
export const AD_GROUP_CN_MAX = 64;

/** Why AD would refuse `name` as a group's cn, in words, or undefined when it is fine. */
export function adGroupNameProblem(name: string): string | undefined {
  if (name.length <= AD_GROUP_CN_MAX) return undefined;
  const units = [...name].length === name.length ? '' : ' (counted as AD counts, in UTF-16 units: a character such as an emoji counts two)';
  return `is ${name.length} characters long${units}: Active Directory allows at most ${AD_GROUP_CN_MAX} in a group's name (cn)`;
}

/**
 * The group name (cn) an `ad` target's entitlement names, as the connector
 * resolves it (directory/groups.ts DirectoryGroups): the first RDN's value of
 * a DN of two RDNs or more, else, with groups.names, the entitlement itself.
 * Undefined when it is neither (the grant is refused for that).
 */
export function adGroupName(entitlement: string, names: boolean): string | undefined {
  let rdns: number;
  try {
    rdns = parseDn(entitlement).length;
  } catch {
    rdns = 0;
  }
  if (rdns >= 2 || (rdns === 1 && !names)) return leafValue(entitlement);
  return names ? entitlement : undefined;
}

/**
 * Refuse, before anything is written, a grant of a group whose name AD could
 * never hold: no such group can exist, and creating it (groups.create) would
 * fail with the directory's "wrong syntax" for cn. Not retried.
 */
export function assertAdGroupName(groupDn: string, entitlement: string, where: string): void {
  const cn = leafValue(groupDn) ?? '';
  const problem = adGroupNameProblem(cn);
  if (problem === undefined) return;
  throw new RosterError('target.rejected',
    `${where}: group name ${JSON.stringify(cn)} ${problem}; shorten it in the role that grants ${JSON.stringify(entitlement)} (nothing was written)`,
    { details: { group: groupDn, limit: AD_GROUP_CN_MAX, length: cn.length } });
}
