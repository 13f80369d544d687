import {
  AndFilter, EqualityFilter, ExtensibleFilter, FilterParser, GreaterThanEqualsFilter, NotFilter, OrFilter, type Filter,
} from 'ldapts';
import { IN_CHAIN } from '../../connectors/ad/effective.js';

// LDAP_MATCHING_RULE_IN_CHAIN: `(memberOf:1.2.840.113556.1.4.1941:=G)` matches members of G at any depth.
export { IN_CHAIN };

/**
 * What an `ad` source's filter asks of group membership. `memberOf` is a
 * back link: adding a person to a group, or taking them out, changes the
 * group (its `member` and uSNChanged), not the person, so an incremental
 * pass (the people changed since the cursor) does not see them come into
 * the filter or leave it. The groups named here tell a pass when to read
 * in full instead.
 */
export interface FilterGroups {
  /** Groups `(memberOf=G)` names: their direct members are in or out of the filter. */
  readonly direct: readonly string[];
  /** Groups `(memberOf:1.2.840.113556.1.4.1941:=G)` names: members at any depth, through the groups nested in G. */
  readonly nested: readonly string[];
  /** `memberOf` in a form that names no one group (`(memberOf=*)`, a substring, another rule): any group's change may matter. */
  readonly anyGroup: boolean;
}

const isMemberOf = (attribute: string | undefined): boolean => attribute?.toLowerCase() === 'memberof';

const text = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value));

/** The groups the filter's membership assertions name; undefined when it has none (its people change when they do). */
export function filterGroups(filter: string): FilterGroups | undefined {
  const direct = new Set<string>();
  const nested = new Set<string>();
  let anyGroup = false;
  const walk = (node: Filter): void => {
    if (node instanceof AndFilter || node instanceof OrFilter) {
      for (const child of node.filters) walk(child);
    } else if (node instanceof NotFilter) {
      walk(node.filter);
    } else if (node instanceof EqualityFilter) {
      if (isMemberOf(node.attribute)) direct.add(text(node.value));
    } else if (node instanceof ExtensibleFilter) {
      if (!isMemberOf(node.matchType)) return;
      if (node.rule === IN_CHAIN) nested.add(text(node.value));
      else if (node.rule === '' || node.rule === undefined) direct.add(text(node.value));
      else anyGroup = true;
    } else if (isMemberOf((node as { attribute?: string }).attribute)) {
      anyGroup = true;
    }
  };
  walk(FilterParser.parseString(filter));
  if (direct.size === 0 && nested.size === 0 && !anyGroup) return undefined;
  return { direct: [...direct], nested: [...nested], anyGroup };
}

/** Groups changed at or after `usn` (digits): all of them, or those nested at any depth in `group`. */
export function changedGroupsFilter(usn: string, group?: string): Filter {
  const filters: Filter[] = [new EqualityFilter({ attribute: 'objectClass', value: 'group' })];
  if (group !== undefined) filters.push(new ExtensibleFilter({ matchType: 'memberOf', rule: IN_CHAIN, value: group }));
  filters.push(new GreaterThanEqualsFilter({ attribute: 'uSNChanged', value: usn }));
  return new AndFilter({ filters });
}

/**
 * Groups deleted at or after `usn` (digits): tombstones keep their
 * objectClass and uSNChanged, not their memberOf, so whether one was in a
 * chain cannot be told.
 */
export function deletedGroupsFilter(usn: string): Filter {
  return new AndFilter({ filters: [
    new EqualityFilter({ attribute: 'objectClass', value: 'group' }),
    new EqualityFilter({ attribute: 'isDeleted', value: 'TRUE' }),
    new GreaterThanEqualsFilter({ attribute: 'uSNChanged', value: usn }),
  ] });
}

/** What a pass needs of the directory to tell whether a filter's groups changed. */
export interface GroupReader {
  /** One entry's attribute by DN; undefined when there is no such entry or it cannot be read. */
  valueAt(dn: string, attribute: string): Promise<string | undefined>;
  /** Whether any entry under `base` matches `filter`. */
  anyUnder(base: string, filter: Filter): Promise<boolean>;
  /** Whether any deleted object under `base` matches `filter` (Show Deleted); undefined when the directory refuses to show deleted objects. */
  anyDeletedUnder(base: string, filter: Filter): Promise<boolean | undefined>;
}

/**
 * Why the people in the filter may have changed without any of them
 * changing since `since` (the first USN not yet read): a group the filter
 * names changed (or is gone: deleted, renamed, moved), a group nested in
 * one it names through the in-chain rule changed, or, for `anyGroup`, any
 * group of the domain changed, or (for those two) a group was deleted.
 * Deleting a group takes its members out of the groups it was in without
 * changing those groups (Samba 4: their uSNChanged stays; the links to a
 * deleted object are dropped, not written): a person two levels down in
 * the chain leaves it, and nothing live in the chain changed. A deleted
 * group no longer says which groups it was in, so any group deleted since
 * the cursor makes the pass read in full. undefined when none did: the
 * incremental pass sees everyone who came into the filter or left it.
 */
export async function groupChange(reader: GroupReader, groups: FilterGroups, since: string, namingContext: string | undefined): Promise<string | undefined> {
  for (const group of [...groups.direct, ...groups.nested]) {
    const usn = await reader.valueAt(group, 'uSNChanged');
    if (usn === undefined || !/^\d+$/.test(usn)) return `the group ${group} the filter names cannot be read (deleted, renamed or moved?)`;
    if (BigInt(usn) >= BigInt(since)) return `the group ${group} the filter names changed`;
  }
  if (groups.nested.length === 0 && !groups.anyGroup) return undefined;
  if (namingContext === undefined) return 'the filter depends on group membership and the rootDSE names no domain to look for changed groups in';
  if (groups.anyGroup) {
    if (await reader.anyUnder(namingContext, changedGroupsFilter(since))) return 'a group changed and the filter depends on membership of any group';
  } else {
    for (const group of groups.nested) {
      if (await reader.anyUnder(namingContext, changedGroupsFilter(since, group))) return `a group nested in ${group} changed`;
    }
  }
  const deleted = await reader.anyDeletedUnder(namingContext, deletedGroupsFilter(since));
  if (deleted === undefined) return 'the directory refuses to show deleted groups, and a group deleted takes its members out of the groups it was in';
  return deleted ? 'a group was deleted, and with it its members left the groups it was in' : undefined;
}
