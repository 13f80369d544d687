import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { registerBulkRoute } from './bulk.js';
import { sharedCursorKey } from './cursor.js';
import type { ScimServer } from './context.js';
import { registerDiscoveryRoutes } from './discovery.js';
import { handleScimError, scimNotFound } from './errors.js';
import { FilterCache } from './filter-cache.js';
import { DEFAULT_RATE_LIMIT, TokenBuckets } from './rate-limit.js';
import { registerResourceRoutes, registerRootSearch } from './resources.js';
import type { ScimServerOptions } from './types.js';

export type { ScimServerOptions, ScimUserChange } from './types.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The SCIM 2.0 server (RFC 7644), registered with `{ prefix: '/scim/v2' }`.
 * Its error and not-found handlers live in this plugin's scope, so SCIM
 * clients get RFC 7644 §3.12 bodies while the rest of the API keeps its own.
 */
export function scimRoutes(options: ScimServerOptions): FastifyPluginAsync {
  return async (app) => {
    const buckets = new TokenBuckets(options.rateLimit ?? DEFAULT_RATE_LIMIT);
    const server: ScimServer = {
      options, now: options.now ?? (() => new Date()), filters: new FilterCache(options.store), cursorKey: await sharedCursorKey(options.store.state),
      chargeRateLimit: (tokenId, count) => buckets.charge(tokenId, count),
    };
    const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
    const parseJson = app.getDefaultJsonParser('error', 'error');

    // RFC 7644 §3.1: application/scim+json, and application/json from clients that send it.
    // An empty body is no body (some clients send Content-Type on DELETE).
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string', bodyLimit }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      parseJson(request, text, done);
    });
    app.addHook('onRoute', (route) => {
      route.bodyLimit ??= bodyLimit;
    });
    app.setErrorHandler((error, request, reply) => handleScimError(error, request, reply));
    app.setNotFoundHandler((request, reply) => scimNotFound(request, reply));

    // After the shared auth hook (registered on the root), so the bucket is the token's.
    // Both hooks are synchronous callbacks: they run on every request, and an async hook costs a promise and a tick each.
    app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
      try {
        if (request.token !== undefined) buckets.take(request.token.id);
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
    });
    app.addHook('onSend', (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) => {
      if (reply.statusCode === 204 || reply.statusCode === 304) reply.removeHeader('content-type');
      else void reply.header('content-type', SCIM_CONTENT_TYPE);
      done(null, payload);
    });

    for (const type of options.registry.resourceTypes) registerResourceRoutes(app, server, type);
    registerRootSearch(app, server);
    registerBulkRoute(app, server);
    registerDiscoveryRoutes(app, server);
  };
}
