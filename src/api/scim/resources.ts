import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ScimResourceType } from '../../scim/resource/types.js';
import type { ScimResource } from '../../store/types.js';
import { callOf, locationOf, type ScimServer } from './context.js';
import { conditionMatches, etagOf, parseEntityTags } from './etag.js';
import { listResources } from './list.js';
import { listParamsFromQuery, listParamsFromSearch } from './list-params.js';
import { projectionParams, renderResource } from './render.js';
import { createResource, deleteResource, patchResource, readResource, replaceResource } from './writes.js';

const SCIM_SCOPE = { scope: 'scim' } as const;

function idOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

/** Sends one resource with its ETag (RFC 7644 §3.14) and, on create, its Location (§3.3). */
async function sendResource(
  server: ScimServer, request: FastifyRequest, reply: FastifyReply, prefix: string,
  type: ScimResourceType, resource: ScimResource, status: 200 | 201,
): Promise<FastifyReply> {
  const call = callOf(request, prefix);
  const body = await renderResource(server, call, type, resource, projectionParams(request.query));
  void reply.header('ETag', etagOf(resource.version));
  if (status === 201) void reply.header('Location', locationOf(call, type, resource.id));
  return reply.status(status).send(body);
}

/** GET/POST on the endpoint, GET/PUT/PATCH/DELETE on a resource, POST …/.search — for one resource type. */
export function registerResourceRoutes(app: FastifyInstance, server: ScimServer, type: ScimResourceType): void {
  const base = type.endpoint;
  const maxResults = server.options.capabilities.filter.maxResults;

  app.get(base, { config: SCIM_SCOPE }, async (request) =>
    listResources(server, callOf(request, app.prefix), [type], listParamsFromQuery(request.query, maxResults)));

  app.post(`${base}/.search`, { config: SCIM_SCOPE }, async (request) =>
    listResources(server, callOf(request, app.prefix), [type], listParamsFromSearch(request.body, maxResults)));

  app.post(base, { config: SCIM_SCOPE }, async (request, reply) => {
    const resource = await createResource(server, callOf(request, app.prefix), type, request.body);
    return sendResource(server, request, reply, app.prefix, type, resource, 201);
  });

  app.get(`${base}/:id`, { config: SCIM_SCOPE }, async (request, reply) => {
    const resource = await readResource(server, type, idOf(request));
    const ifNoneMatch = parseEntityTags(request.headers['if-none-match']);
    if (ifNoneMatch !== undefined && conditionMatches(ifNoneMatch, resource.version)) {
      return reply.status(304).header('ETag', etagOf(resource.version)).send();
    }
    return sendResource(server, request, reply, app.prefix, type, resource, 200);
  });

  app.put(`${base}/:id`, { config: SCIM_SCOPE }, async (request, reply) => {
    const ifMatch = parseEntityTags(request.headers['if-match']);
    const resource = await replaceResource(server, callOf(request, app.prefix), type, idOf(request), request.body, ifMatch);
    return sendResource(server, request, reply, app.prefix, type, resource, 200);
  });

  // 200 with the resource rather than 204: Entra and Okta both accept it, and the client sees the new version.
  app.patch(`${base}/:id`, { config: SCIM_SCOPE }, async (request, reply) => {
    const ifMatch = parseEntityTags(request.headers['if-match']);
    const resource = await patchResource(server, callOf(request, app.prefix), type, idOf(request), request.body, ifMatch);
    return sendResource(server, request, reply, app.prefix, type, resource, 200);
  });

  app.delete(`${base}/:id`, { config: SCIM_SCOPE }, async (request, reply) => {
    await deleteResource(server, callOf(request, app.prefix), type, idOf(request), parseEntityTags(request.headers['if-match']));
    return reply.status(204).send();
  });
}

/** POST /.search at the root (RFC 7644 §3.4.3): every resource type at once. */
export function registerRootSearch(app: FastifyInstance, server: ScimServer): void {
  const maxResults = server.options.capabilities.filter.maxResults;
  app.post('/.search', { config: SCIM_SCOPE }, async (request) =>
    listResources(server, callOf(request, app.prefix), server.options.registry.resourceTypes, listParamsFromSearch(request.body, maxResults)));
}
