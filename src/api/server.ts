import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Engine } from '../engine/types.js';
import { createScimRegistry } from '../scim/resource/index.js';
import { registerAuth } from './auth.js';
import { handleError } from './errors.js';
import { asRosterMetrics, createMetrics } from './metrics.js';
import { auditRoutes } from './routes/audit.js';
import { changeRoutes } from './routes/changes.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identities.js';
import { metricsRoutes } from './routes/metrics.js';
import { planRoutes } from './routes/plans.js';
import { pushRoutes } from './routes/push.js';
import { targetRoutes } from './routes/targets.js';
import { errorBody } from './scim/errors.js';
import { SCIM_CONTENT_TYPE, scimRoutes, type ScimServerOptions } from './scim/index.js';
import { scimInbound } from './scim-inbound.js';

/** Where the SCIM 2.0 server is served when `scim.server.enabled`. */
export const SCIM_PREFIX = '/scim/v2';

export interface ServerOptions {
  /** Fastify's request log (JSON on stdout); the authorization header is always redacted. */
  readonly logger?: boolean;
  /** Where the request log goes (default stdout); tests capture it to prove tokens never appear. */
  readonly logStream?: NodeJS.WritableStream;
  /** Clock for push records without dates (tests). */
  readonly now?: () => Date;
}

/**
 * The HTTP API under /api/v1. Every route is a plugin over the Engine
 * interface; auth runs before the body is read; every error goes through one
 * table (errors.ts).
 */
export async function buildServer(engine: Engine, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === true
      ? {
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
          ...(options.logStream ? { stream: options.logStream } : {}),
        }
      : false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    frameworkErrors: (error, request, reply) => routerFault(error, request, reply, engine.config.scim?.server.enabled === true),
    trustProxy: typeof engine.config.server.trustProxy === 'boolean' ? engine.config.server.trustProxy : [...engine.config.server.trustProxy],
  });
  const metrics = asRosterMetrics(engine.metrics) ?? createMetrics();
  metrics.watchQueue(engine.store, engine.config.targets.map((target) => target.id));

  app.setErrorHandler((error, request, reply) => handleError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'route.not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );
  registerAuth(app, engine.store);

  await app.register(
    async (api) => {
      await api.register(healthRoutes(engine));
      await api.register(metricsRoutes(metrics));
      await api.register(pushRoutes(engine, options.now ?? (() => new Date())));
      await api.register(identityRoutes(engine));
      await api.register(planRoutes(engine));
      await api.register(changeRoutes(engine));
      await api.register(auditRoutes(engine));
      await api.register(targetRoutes(engine));
    },
    { prefix: '/api/v1' },
  );
  const scim = scimServerOptions(engine, options.now);
  if (scim !== undefined) await app.register(scimRoutes(scim), { prefix: SCIM_PREFIX });
  // Where load balancers and Prometheus look by default; same handlers and scopes as under /api/v1.
  await app.register(healthRoutes(engine));
  await app.register(metricsRoutes(metrics));
  return app;
}

/**
 * Faults the router answers before any hook runs (a path that is not valid
 * percent-encoded UTF-8, a path parameter over 100 characters), in the error
 * shape of where they were sent: RFC 7644 §3.12 under /scim/v2, the API's
 * elsewhere. Fixed texts: the path is not echoed.
 */
function routerFault(error: FastifyError, request: FastifyRequest, reply: FastifyReply, scimEnabled: boolean): FastifyReply {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? 'a path segment is longer than 100 characters'
    : error.code === 'FST_ERR_BAD_URL' ? 'the URL path is not valid percent-encoded UTF-8' : 'the request was refused';
  const path = request.url.split('?')[0] ?? '';
  if (scimEnabled && (path === SCIM_PREFIX || path.startsWith(`${SCIM_PREFIX}/`))) {
    return reply.status(status).header('content-type', SCIM_CONTENT_TYPE).send(errorBody(status, message));
  }
  return reply.status(status).send({ error: { code: status === 500 ? 'internal' : 'request.invalid', message } });
}

/** The SCIM server's options from `scim.server`, or undefined when it is off; writes to /Users feed `scim.server.source`. */
function scimServerOptions(engine: Engine, now: (() => Date) | undefined): ScimServerOptions | undefined {
  const server = engine.config.scim?.server;
  if (server === undefined || !server.enabled) return undefined;
  return {
    store: engine.store,
    registry: createScimRegistry(server.extensions),
    capabilities: { patch: true, bulk: server.bulk, filter: { maxResults: server.maxResults }, changePassword: false, sort: true, etag: true },
    rateLimit: server.rateLimit,
    ...(server.source === undefined ? {} : { onUserChange: scimInbound(engine, server.source, now) }),
    ...(now === undefined ? {} : { now }),
  };
}
