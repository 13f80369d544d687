import { dnKey } from './mapping.js';
import type { FilterGroups } from './filter-groups.js';
import type { DirectoryReader } from './search.js';

/**
 * An `ldap` source whose filter asks for group membership (`(memberOf=G)`,
 * OpenLDAP's memberof overlay). Putting someone in G or taking them out
 * changes G; slapd rewrites the person's memberOf without moving their
 * modifyTimestamp or entryCSN (slapd 2.5, measured), so neither an
 * incremental pass by modifyTimestamp nor a sync from a cookie returns
 * them: a joiner (and, with syncrepl, a leaver) would wait for the next full
 * pass. So each pass keeps, on its cursor, the entryCSN of every group the
 * filter names, read before the pass (a group changed while the pass runs
 * has another one next time), and an incremental pass reads in full when one
 * differs. A group that cannot be read (deleted, renamed, moved, or its
 * entryCSN hidden from the bind) is '' and always differs: every pass reads
 * in full, and a filter matching nobody is held as truncated, as any full
 * pass of zero entries. `memberOf` in a form naming no one group
 * (`(memberOf=*)`, a substring, the in-chain rule) cannot be checked this
 * way: every pass reads in full. (AD's uSNChanged passes do their own check: filter-groups.ts.)
 */

/** The cursor's field that keeps the groups' entryCSNs: normalised group DN -> entryCSN ('' when it could not be read). */
export const GROUPS_FIELD = 'groups';

/** The entryCSN of each group `groups` names, by normalised DN ('' for a group this bind cannot read). */
export async function groupStamps(reader: Pick<DirectoryReader, 'valueAt'>, groups: FilterGroups): Promise<Record<string, string>> {
  const stamps: Record<string, string> = {};
  for (const dn of groups.direct) stamps[dnKey(dn) ?? dn] = (await reader.valueAt(dn, 'entryCSN')) ?? '';
  return stamps;
}

/** Why an incremental pass from `stored` (a cursor as stored) must read in full, given the groups' entryCSNs now; undefined when it need not. */
export function groupChangeSince(stored: unknown, groups: FilterGroups, now: Readonly<Record<string, string>>): string | undefined {
  if (groups.anyGroup || groups.nested.length > 0) {
    return 'the filter asks for memberOf without naming one group (or at any depth): membership changes move no person\'s modifyTimestamp or entryCSN';
  }
  const kept = typeof stored === 'object' && stored !== null ? (stored as Partial<Record<string, unknown>>)[GROUPS_FIELD] : undefined;
  const before = typeof kept === 'object' && kept !== null ? kept as Partial<Record<string, unknown>> : undefined;
  for (const [dn, csn] of Object.entries(now)) {
    if (csn === '') return `the group ${dn} the filter names cannot be read (deleted, renamed, moved, or its entryCSN hidden from the bind)`;
    if (before === undefined) return 'the cursor keeps no entryCSN of the groups the filter names';
    if (before[dn] !== csn) return `the group ${dn} the filter names changed since the cursor (its members may have changed)`;
  }
  return undefined;
}
