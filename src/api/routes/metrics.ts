import type { FastifyPluginAsync } from 'fastify';
import type { RosterMetrics } from '../metrics.js';

export const metricsRoutes = (metrics: RosterMetrics): FastifyPluginAsync => async (app) => {
  app.get('/metrics', { config: { scope: 'metrics' } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
};
