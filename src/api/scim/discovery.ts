import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RosterError } from '../../core/errors.js';
import {
  resourceTypeDocument, resourceTypesDocument, schemaDocument, schemasDocument, serviceProviderConfig,
} from '../../scim/resource/index.js';
import { callOf, type ScimServer } from './context.js';

/**
 * RFC 7644 §4 discovery. These need the `scim` scope like everything else:
 * §4 does not ask for them to be public, every identity provider sends its
 * token anyway, and /Schemas would show strangers the custom extension
 * attributes an organisation keeps about its people.
 */
const DISCOVERY = { config: { scope: 'scim' } } as const;

/** §4: a filter on a discovery endpoint SHOULD get 403, so clients never believe it was applied. */
function refuseFilter(request: FastifyRequest): void {
  const query = request.query as Record<string, unknown> | undefined;
  if (query?.filter !== undefined) throw new RosterError('auth.forbidden', 'Discovery endpoints do not support filtering');
}

/** A discovery collection (ListResponse) and its members by key, e.g. /Schemas and /Schemas/:key. */
function registerCollection<T>(
  app: FastifyInstance,
  path: string,
  list: (baseUrl: string) => unknown,
  find: (key: string) => T | undefined,
  one: (item: T, baseUrl: string) => unknown,
): void {
  const baseUrl = (request: FastifyRequest) => callOf(request, app.prefix).baseUrl;
  app.get(path, DISCOVERY, async (request) => {
    refuseFilter(request);
    return list(baseUrl(request));
  });
  app.get(`${path}/:key`, DISCOVERY, async (request) => {
    const { key } = request.params as { key: string };
    const item = find(key);
    if (item === undefined) throw new RosterError('store.not_found', `Nothing at ${path}/${key}`);
    return one(item, baseUrl(request));
  });
}

export function registerDiscoveryRoutes(app: FastifyInstance, server: ScimServer): void {
  const { registry, capabilities } = server.options;
  app.get('/ServiceProviderConfig', DISCOVERY, async (request) => {
    refuseFilter(request);
    return serviceProviderConfig(capabilities, callOf(request, app.prefix).baseUrl);
  });
  registerCollection(app, '/ResourceTypes', (baseUrl) => resourceTypesDocument(registry, baseUrl),
    (name) => registry.resourceTypes.find((type) => type.name === name), resourceTypeDocument);
  registerCollection(app, '/Schemas', (baseUrl) => schemasDocument(registry, baseUrl),
    (id) => registry.schemas.find((schema) => schema.id === id), schemaDocument);
}
