import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../engine/types.js';
import { quarantineKey, type QuarantineRecord } from '../../executor/quarantine.js';
import { actorOf } from '../auth.js';
import { idParam, parseInput } from '../validate.js';

/**
 * The configured targets with their queues and quarantine, and the release
 * of a quarantined target (admin: its pending changes run again, which an
 * operator decides once the target works).
 */
export const targetRoutes = (engine: Engine): FastifyPluginAsync => async (app) => {
  app.get('/targets', { config: { scope: 'api:read' } }, async () => {
    const targets = await Promise.all(engine.config.targets.map(async (target) => {
      const [queue, quarantined] = await Promise.all([
        engine.store.queue.stats({ target: target.id }),
        engine.store.state.get<QuarantineRecord | null>(quarantineKey(target.id)),
      ]);
      return { id: target.id, type: target.type, queue, ...(quarantined ? { quarantined } : {}) };
    }));
    return { targets };
  });

  app.post('/targets/:id/release', { config: { scope: 'admin' } }, async (request) => {
    const { id } = parseInput(idParam, request.params, 'params');
    return { target: id, released: await engine.releaseQuarantine(id, actorOf(request)) };
  });
};
