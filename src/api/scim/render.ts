import { parseProjection, projectResource, type ScimResourceType } from '../../scim/resource/index.js';
import type { ScimResource } from '../../store/types.js';
import type { ScimCall, ScimServer } from './context.js';
import { groupsAttribute, wantsGroups } from './groups.js';

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
 * One resource as on the wire. A single User also carries its computed
 * `groups` (one indexed query); list pages leave it out to stay one query.
 */
export async function renderResource(
  server: ScimServer,
  call: ScimCall,
  type: ScimResourceType,
  resource: ScimResource,
  params: ProjectionParams,
  withGroups: boolean,
): Promise<Record<string, unknown>> {
  const projection = parseProjection(params.attributes, params.excludedAttributes);
  const body = projectResource(type, resource, { baseUrl: call.baseUrl, projection });
  if (!withGroups || type.name !== 'User' || !wantsGroups(params.attributes, params.excludedAttributes)) return body;
  const groups = await groupsAttribute(server, call, resource.id);
  return groups.length === 0 ? body : { ...body, groups };
}
