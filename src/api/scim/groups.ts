import { RosterError } from '../../core/errors.js';
import { parseFilter, translateFilter } from '../../scim/filter/index.js';
import type { ScimResourceType } from '../../scim/resource/types.js';
import type { ScimResource } from '../../store/types.js';
import type { ScimCall, ScimServer } from './context.js';
import { locationOf } from './context.js';

const PAGE = 500;

/** The `value`s of a Group's members (RFC 7643 §4.2), as stored. */
export function memberIds(data: Readonly<Record<string, unknown>> | undefined): string[] {
  const members = data?.members;
  if (!Array.isArray(members)) return [];
  return members.flatMap((member: unknown) => {
    const value = typeof member === 'object' && member !== null ? (member as { value?: unknown }).value : undefined;
    return typeof value === 'string' ? [value] : [];
  });
}

/**
 * A Group may only name Users and Groups that exist: a dangling member would
 * be provisioned to nobody and never cleaned up. Only members new to the group
 * are looked up, so Entra's one-member PATCHes on large groups stay cheap.
 */
export async function assertMembersExist(
  server: ScimServer,
  type: ScimResourceType,
  data: Readonly<Record<string, unknown>>,
  existing?: Readonly<Record<string, unknown>>,
): Promise<void> {
  if (type.name !== 'Group') return;
  const before = new Set(memberIds(existing));
  const added = [...new Set(memberIds(data).filter((id) => !before.has(id)))];
  if (added.length === 0) return;
  const scim = server.options.store.scim;
  const found = new Set<string>();
  for (const resourceType of ['User', 'Group']) {
    for (const resource of await scim.getMany(resourceType, added)) found.add(resource.id);
  }
  const missing = added.filter((id) => !found.has(id));
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((id) => `"${id}"`).join(', ');
    throw new RosterError('request.invalid', `members: no User or Group with id ${shown}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`, {
      details: { scimType: 'invalidValue' },
    });
  }
}

/** Member ids per filter: 100 server-made UUIDs keep the filter text well under the parser's length limit. */
const IDS_PER_FILTER = 100;

/** Every Group whose members contain `memberId`, found by a filter in the database. */
export function groupsContaining(server: ScimServer, memberId: string): Promise<ScimResource[]> {
  return groupsContainingAny(server, [memberId]);
}

/** Every Group whose members contain one of `memberIds`, each once: one filter per IDS_PER_FILTER ids, not one per id. */
async function groupsContainingAny(server: ScimServer, memberIds: readonly string[]): Promise<ScimResource[]> {
  const groupType = server.options.registry.resourceType('Group');
  if (groupType === undefined) return [];
  const { store } = server.options;
  const groups = new Map<string, ScimResource>();
  for (let at = 0; at < memberIds.length; at += IDS_PER_FILTER) {
    // SCIM filter strings are JSON strings, so JSON.stringify escapes each id for the filter grammar.
    const terms = memberIds.slice(at, at + IDS_PER_FILTER).map((id) => `value eq ${JSON.stringify(id)}`);
    const node = parseFilter(`members[${terms.join(' or ')}]`);
    const filter = translateFilter(node, groupType.schema, store.dialect, store.scim.columnOf, { dataColumn: 'data' });
    for (let offset = 0; ; offset += PAGE) {
      const page = await store.scim.query({ resourceType: groupType.name, filter, offset, limit: PAGE });
      for (const group of page.resources) groups.set(group.id, group);
      if (page.resources.length < PAGE) break;
    }
  }
  return [...groups.values()];
}

/**
 * RFC 7643 §4.1.2 `groups` of each of `userIds`: computed from the Groups
 * naming them, never stored. A list page asks for all its Users at once.
 */
export async function groupsAttributes(server: ScimServer, call: ScimCall, userIds: readonly string[]): Promise<Map<string, Record<string, unknown>[]>> {
  const byUser = new Map<string, Record<string, unknown>[]>(userIds.map((id) => [id, []]));
  const groupType = server.options.registry.resourceType('Group');
  if (groupType === undefined) return byUser;
  for (const group of await groupsContainingAny(server, userIds)) {
    const reference = {
      value: group.id,
      $ref: locationOf(call, groupType, group.id),
      ...(typeof group.data.displayName === 'string' ? { display: group.data.displayName } : {}),
      type: 'direct',
    };
    for (const id of new Set(memberIds(group.data))) byUser.get(id)?.push(reference);
  }
  return byUser;
}

/** Whether a response projection asks for `groups` (RFC 7644 §3.9). */
export function wantsGroups(attributes: string | undefined, excludedAttributes: string | undefined): boolean {
  const names = (list: string | undefined) =>
    (list ?? '').split(',').map((name) => name.trim().toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/, '').split('.')[0]);
  if (attributes !== undefined && attributes.trim() !== '') return names(attributes).includes('groups');
  return !names(excludedAttributes).includes('groups');
}
