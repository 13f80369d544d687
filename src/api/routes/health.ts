import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../engine/types.js';

export const healthRoutes = (engine: Engine): FastifyPluginAsync => async (app) => {
  app.get('/health', { config: { scope: 'public' } }, async () => ({
    status: 'ok',
    store: engine.store.dialect,
    serial: await engine.store.state.serial(),
  }));
};
