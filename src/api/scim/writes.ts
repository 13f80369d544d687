import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { isRosterError, RosterError } from '../../core/errors.js';
import { applyPatch, prepareResource, projectResource, type PreparedResource, type ScimResourceType } from '../../scim/resource/index.js';
import type { ScimResource } from '../../store/types.js';
import { isStorableText } from '../../core/text.js';
import type { ScimCall, ScimServer } from './context.js';
import { assertIfMatch, type EntityTagCondition } from './etag.js';
import { assertMembersExist, memberIds } from './groups.js';
import { notifyUserChange } from './notify.js';

/**
 * The four writes of RFC 7644 §3.3, §3.5 and §3.6, shared by the resource
 * routes and each Bulk operation, so both check, store and notify alike.
 */

/** Read-change-write attempts before a write without If-Match gives up on a busy resource (jittered, so contenders spread out). */
const ATTEMPTS = 12;

function notFound(type: ScimResourceType, id: string): RosterError {
  return new RosterError('store.not_found', `No ${type.name} with id "${id}"`);
}

/**
 * The resource, or 404. An id PostgreSQL cannot hold (U+0000, an unpaired
 * surrogate) names nothing (ids are UUIDs this server draws) and is never
 * sent to the store, where it would be a 500.
 */
export async function readResource(server: ScimServer, type: ScimResourceType, id: string): Promise<ScimResource> {
  if (!isStorableText(id)) throw notFound(type, id);
  const resource = await server.options.store.scim.get(type.name, id);
  if (resource === undefined) throw notFound(type, id);
  return resource;
}

export async function createResource(server: ScimServer, call: ScimCall, type: ScimResourceType, body: unknown): Promise<ScimResource> {
  const prepared = prepareResource(type, body, {});
  await assertMembersExist(server, type, prepared.data);
  const resource = await server.options.store.scim.create(
    { resourceType: type.name, id: randomUUID(), data: prepared.data, uniqueName: prepared.uniqueName },
    server.now(),
  );
  await notifyUserChange(server, call, type, { kind: 'upsert', resource });
  return resource;
}

/**
 * Read, change, write with ifVersion = the version read. When another write
 * got in between, the store refuses (412): with the client's If-Match that is
 * the answer; without one the change is simply made again on the new version,
 * so concurrent PATCHes never lose an update.
 */
async function update(
  server: ScimServer,
  call: ScimCall,
  type: ScimResourceType,
  id: string,
  ifMatch: EntityTagCondition | undefined,
  change: (existing: ScimResource) => PreparedResource | undefined,
): Promise<ScimResource> {
  for (let attempt = 1; ; attempt += 1) {
    const existing = await readResource(server, type, id);
    assertIfMatch(ifMatch, existing.version);
    const next = change(existing);
    if (next === undefined) return existing;
    await assertMembersExist(server, type, next.data, existing.data);
    try {
      const resource = await server.options.store.scim.replace(
        { resourceType: type.name, id, data: next.data, uniqueName: next.uniqueName },
        { ifVersion: existing.version, at: server.now() },
      );
      await notifyUserChange(server, call, type, { kind: 'upsert', resource });
      return resource;
    } catch (error) {
      if (ifMatch !== undefined || !isRosterError(error, 'request.precondition_failed')) throw error;
      if (attempt >= ATTEMPTS) {
        // Without If-Match a 412 would make no sense to the client: the resource is busy, which is a conflict.
        throw new RosterError('store.conflict', `${type.name} "${id}" is being changed by other requests; try again`, { cause: error });
      }
      await delay(Math.random() * attempt * 5);
    }
  }
}

/** PUT (§3.5.1): the body replaces the resource; immutable attributes must not change. */
export function replaceResource(
  server: ScimServer, call: ScimCall, type: ScimResourceType, id: string, body: unknown, ifMatch?: EntityTagCondition,
): Promise<ScimResource> {
  return update(server, call, type, id, ifMatch, (existing) => prepareResource(type, body, { existing: existing.data }));
}

/** PATCH (§3.5.2): a patch that changes nothing writes nothing and keeps the version. */
export function patchResource(
  server: ScimServer, call: ScimCall, type: ScimResourceType, id: string, body: unknown, ifMatch?: EntityTagCondition,
): Promise<ScimResource> {
  return update(server, call, type, id, ifMatch, (existing) => {
    // Clients echo id and meta in a PATCH (Okta does); applyPatch accepts them unchanged only when it knows them.
    const meta = projectResource(type, existing, { baseUrl: call.baseUrl }).meta;
    const current = { id: existing.id, ...(typeof meta === 'object' && meta !== null ? { meta: meta as Record<string, unknown> } : {}) };
    const patched = applyPatch(type.schema, existing.data, body, current);
    return patched.changed ? prepareResource(type, patched.data, { existing: existing.data }) : undefined;
  });
}

/**
 * Takes `memberId` out of every Group naming it (RFC 7644 §3.6 lets a delete do so), in the same request.
 * The store's membership index finds them; each replace brings that index up to date.
 */
async function removeFromGroups(server: ScimServer, call: ScimCall, memberId: string): Promise<void> {
  const groupType = server.options.registry.resourceType('Group');
  if (groupType === undefined) return;
  const groups = (await server.options.store.scim.groupsOf([memberId])).get(memberId) ?? [];
  for (const group of groups) {
    await update(server, call, groupType, group.id, undefined, (existing) => {
      if (!memberIds(existing.data).includes(memberId)) return undefined;
      const members = (existing.data.members as unknown[]).filter((member) => (member as { value?: unknown }).value !== memberId);
      return prepareResource(groupType, { ...existing.data, members }, { existing: existing.data });
    }).catch((error: unknown) => {
      // The group went away in the meantime: nothing left to clean.
      if (!isRosterError(error, 'store.not_found')) throw error;
    });
  }
}

/** DELETE (§3.6): gone for good; a deleted User or Group also leaves every Group. */
export async function deleteResource(
  server: ScimServer, call: ScimCall, type: ScimResourceType, id: string, ifMatch?: EntityTagCondition,
): Promise<void> {
  const scim = server.options.store.scim;
  let deleted: boolean;
  if (!isStorableText(id)) {
    deleted = false;
  } else if (ifMatch === undefined) {
    deleted = await scim.delete(type.name, id);
  } else {
    const existing = await readResource(server, type, id);
    assertIfMatch(ifMatch, existing.version);
    deleted = await scim.delete(type.name, id, { ifVersion: existing.version });
  }
  if (!deleted) throw notFound(type, id);
  await removeFromGroups(server, call, id);
  await notifyUserChange(server, call, type, { kind: 'delete', id });
}
