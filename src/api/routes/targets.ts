import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Engine } from '../../engine/types.js';
import { quarantineKey, type QuarantineRecord } from '../../executor/quarantine.js';
import { actorOf } from '../auth.js';
import { idParam, parseInput, reasonText } from '../validate.js';

const holdBody = z.strictObject({ reason: reasonText });

/**
 * The configured targets with their queues and quarantine; a target held by
 * hand (admin: no change to it starts) and the release of a quarantined one
 * (admin: its pending changes run again, which an operator decides once the
 * target works); the cancel of its pending changes (admin: they never run).
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

  app.post('/targets/:id/hold', { config: { scope: 'admin' } }, async (request) => {
    const { id } = parseInput(idParam, request.params, 'params');
    const { reason } = parseInput(holdBody, request.body ?? {}, 'body');
    return { target: id, held: await engine.holdQuarantine(id, actorOf(request), reason) };
  });

  app.post('/targets/:id/cancel', { config: { scope: 'admin' } }, async (request) => {
    const { id } = parseInput(idParam, request.params, 'params');
    const { reason } = parseInput(holdBody, request.body ?? {}, 'body');
    return engine.cancelQueued({ target: id }, actorOf(request), reason);
  });

  app.post('/targets/:id/release', { config: { scope: 'admin' } }, async (request) => {
    const { id } = parseInput(idParam, request.params, 'params');
    return { target: id, released: await engine.releaseQuarantine(id, actorOf(request)) };
  });
};
