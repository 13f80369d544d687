import { parseProjection, projectResource, type ScimResourceType } from '../../scim/resource/index.js';
import type { ScimResource } from '../../store/types.js';
import type { ScimCall, ScimServer } from './context.js';
import { groupsAttributes, wantsGroups } from './groups.js';

/** attributes / excludedAttributes as the client sent them (comma-separated). */
export interface ProjectionParams {
  readonly attributes?: string;
  readonly excludedAttributes?: string;
}

export function projectionParams(query: unknown): ProjectionParams {
  const record = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const attributes = text(record.attributes);
  const excludedAttributes = text(record.excludedAttributes);
  return { ...(attributes === undefined ? {} : { attributes }), ...(excludedAttributes === undefined ? {} : { excludedAttributes }) };
}

/**
 * Resources as on the wire. Users carry their computed `groups`, which RFC
 * 7643 §4.1.2 returns by default (§8.7.1) in lists as in single reads, found
 * for the whole page at once, unless the projection leaves it out.
 */
export async function renderResources(
  server: ScimServer,
  call: ScimCall,
  type: ScimResourceType,
  resources: readonly ScimResource[],
  params: ProjectionParams,
): Promise<Record<string, unknown>[]> {
  const projection = parseProjection(params.attributes, params.excludedAttributes);
  const render = (resource: ScimResource) => projectResource(type, resource, { baseUrl: call.baseUrl, projection });
  if (type.name !== 'User' || resources.length === 0 || !wantsGroups(params.attributes, params.excludedAttributes)) return resources.map(render);
  const groups = await groupsAttributes(server, call, resources.map((resource) => resource.id));
  return resources.map((resource) => {
    const body = render(resource);
    const found = groups.get(resource.id) ?? [];
    return found.length === 0 ? body : { ...body, groups: found };
  });
}

/** One resource as on the wire (see renderResources). */
export async function renderResource(
  server: ScimServer, call: ScimCall, type: ScimResourceType, resource: ScimResource, params: ProjectionParams,
): Promise<Record<string, unknown>> {
  return (await renderResources(server, call, type, [resource], params))[0]!;
}
