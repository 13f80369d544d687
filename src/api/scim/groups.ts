import { RosterError } from '../../core/errors.js';
import type { ScimResourceType } from '../../scim/resource/types.js';
import { memberIds } from '../../store/scim.js';
import type { ScimCall, ScimServer } from './context.js';
import { locationOf } from './context.js';

/** The `value`s of a Group's members (RFC 7643 §4.2): the store indexes exactly these. */
export { memberIds };

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

/**
 * RFC 7643 §4.1.2 `groups` of each of `userIds`: computed from the Groups
 * naming them, never stored, read from the store's membership index in one
 * query (a list page asks for all its Users at once).
 */
export async function groupsAttributes(server: ScimServer, call: ScimCall, userIds: readonly string[]): Promise<Map<string, Record<string, unknown>[]>> {
  const groupType = server.options.registry.resourceType('Group');
  if (groupType === undefined) return new Map(userIds.map((id) => [id, []]));
  const byUser = new Map<string, Record<string, unknown>[]>();
  for (const [userId, groups] of await server.options.store.scim.groupsOf(userIds)) {
    byUser.set(userId, groups.map((group) => ({ value: group.id, $ref: locationOf(call, groupType, group.id), display: group.displayName, type: 'direct' })));
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
