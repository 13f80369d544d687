import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { RosterError } from '../../core/errors.js';
import type { ScimResourceType } from '../../scim/resource/types.js';
import { actorOf } from '../auth.js';
import type { FilterCache } from './filter-cache.js';
import type { ScimServerOptions } from './types.js';

/** Who asked and where the server lives: what a write needs besides the server options. */
export interface ScimCall {
  /** `https://host/scim/v2`, for meta.location and Location headers. */
  readonly baseUrl: string;
  readonly actor: string;
  readonly log: FastifyBaseLogger;
}

export interface ScimServer {
  readonly options: ScimServerOptions;
  readonly now: () => Date;
  /** List filters already translated for this server's store. */
  readonly filters: FilterCache;
  /** The HMAC key of RFC 9865 cursors, shared through the store (see cursor.ts). */
  readonly cursorKey: Buffer;
  /** Charges `count` more requests to a token's rate limit (each /Bulk operation after the first). */
  readonly chargeRateLimit: (tokenId: string, count: number) => void;
}

export function callOf(request: FastifyRequest, prefix: string): ScimCall {
  return { baseUrl: `${request.protocol}://${request.host}${prefix}`, actor: actorOf(request), log: request.log };
}

/** The resource type served at an endpoint segment (`Users`), or a 404. */
export function resourceTypeAt(server: ScimServer, endpoint: string): ScimResourceType {
  const type = server.options.registry.resourceType(endpoint);
  if (type === undefined) throw new RosterError('store.not_found', `No SCIM resource endpoint /${endpoint}`);
  return type;
}

export function locationOf(call: ScimCall, type: ScimResourceType, id: string): string {
  return `${call.baseUrl}${type.endpoint}/${encodeURIComponent(id)}`;
}
