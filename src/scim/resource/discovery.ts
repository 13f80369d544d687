import type { ScimAttribute, ScimSchema } from '../filter/schema.js';
import { COMMON_ATTRIBUTES, mutabilityOf, returnedOf } from './schemas.js';
import type { ScimCapabilities, ScimRegistry, ScimResourceType } from './types.js';

type Json = Record<string, unknown>;

const SERVICE_PROVIDER_CONFIG_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const LIST_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

const trimmed = (baseUrl: string): string => baseUrl.replace(/\/+$/, '');

/**
 * GET /ServiceProviderConfig (RFC 7643 §5): what this server supports, read
 * from the capabilities it runs with, so it cannot claim more than it does.
 * Clients authenticate with a bearer token (RFC 6750) carrying the `scim` scope.
 */
export function serviceProviderConfig(capabilities: ScimCapabilities, baseUrl: string): Json {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_URN],
    ...(capabilities.documentationUri === undefined ? {} : { documentationUri: capabilities.documentationUri }),
    patch: { supported: capabilities.patch },
    bulk: { supported: true, maxOperations: capabilities.bulk.maxOperations, maxPayloadSize: capabilities.bulk.maxPayloadSize },
    filter: { supported: true, maxResults: capabilities.filter.maxResults },
    pagination: paginationOf(capabilities),
    changePassword: { supported: capabilities.changePassword },
    sort: { supported: capabilities.sort },
    etag: { supported: capabilities.etag },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication scheme using the OAuth Bearer Token Standard',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${trimmed(baseUrl)}/ServiceProviderConfig` },
  };
}

/**
 * How long a cursor is honoured after it was issued (RFC 9865 cursorTimeout).
 * Each page issues a new one, so only a client pausing this long in one walk
 * must start over (expiredCursor).
 */
export const CURSOR_LIFETIME_SECONDS = 3600;

/**
 * RFC 9865 §4: both methods; index stays the default so clients that never
 * heard of cursors see no change. A page without count holds maxResults.
 * cursorTimeout: how long a cursor stays good (its key is shared by every
 * node on the store and outlives restarts).
 */
function paginationOf(capabilities: ScimCapabilities): Json {
  const { maxResults } = capabilities.filter;
  return {
    cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: maxResults, maxPageSize: maxResults,
    cursorTimeout: CURSOR_LIFETIME_SECONDS,
  };
}

/** GET /ResourceTypes/{name} (RFC 7643 §6). */
export function resourceTypeDocument(type: ScimResourceType, baseUrl: string): Json {
  return {
    schemas: [RESOURCE_TYPE_URN],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.core.id,
    schemaExtensions: (type.schema.extensions ?? []).map((extension) => ({
      schema: extension.id,
      required: type.requiredExtensions.has(extension.id),
    })),
    meta: { resourceType: 'ResourceType', location: `${trimmed(baseUrl)}/ResourceTypes/${encodeURIComponent(type.name)}` },
  };
}

/** GET /ResourceTypes: a ListResponse (RFC 7644 §4, §3.4.2) of every resource type. */
export function resourceTypesDocument(registry: ScimRegistry, baseUrl: string): Json {
  return listResponse(registry.resourceTypes.map((type) => resourceTypeDocument(type, baseUrl)));
}

/**
 * GET /Schemas/{id} (RFC 7643 §7, shapes of §8.7.1): every attribute with all
 * its characteristics, defaults spelled out. The common attributes (id,
 * externalId, meta, schemas) are left out, as in §8.7.1: §3.1 defines them
 * for every resource, outside any schema.
 */
export function schemaDocument(schema: ScimSchema, baseUrl: string): Json {
  return {
    schemas: [SCHEMA_URN],
    id: schema.id,
    ...(schema.name === undefined ? {} : { name: schema.name }),
    ...(schema.description === undefined ? {} : { description: schema.description }),
    attributes: schema.attributes.filter((attribute) => !COMMON_ATTRIBUTES.includes(attribute)).map(attributeDocument),
    // A URN's colons are valid in a path segment (RFC 3986 pchar), as §8.7.1's locations show.
    meta: { resourceType: 'Schema', location: `${trimmed(baseUrl)}/Schemas/${encodeURIComponent(schema.id).replace(/%3A/gi, ':')}` },
  };
}

/** GET /Schemas: a ListResponse of every schema the registry serves. */
export function schemasDocument(registry: ScimRegistry, baseUrl: string): Json {
  return listResponse(registry.schemas.map((schema) => schemaDocument(schema, baseUrl)));
}

function attributeDocument(attribute: ScimAttribute): Json {
  return {
    name: attribute.name,
    type: attribute.type,
    multiValued: attribute.multiValued,
    ...(attribute.description === undefined ? {} : { description: attribute.description }),
    required: attribute.required ?? false,
    ...(attribute.canonicalValues === undefined ? {} : { canonicalValues: attribute.canonicalValues }),
    caseExact: attribute.caseExact,
    mutability: mutabilityOf(attribute),
    returned: returnedOf(attribute),
    uniqueness: attribute.uniqueness ?? 'none',
    ...(attribute.type === 'reference' ? { referenceTypes: attribute.referenceTypes ?? ['external'] } : {}),
    ...(attribute.subAttributes === undefined ? {} : { subAttributes: attribute.subAttributes.map(attributeDocument) }),
  };
}

function listResponse(resources: readonly Json[]): Json {
  return { schemas: [LIST_RESPONSE_URN], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources };
}
