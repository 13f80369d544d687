import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { RosterError } from '../../core/errors.js';
import type { Engine } from '../../engine/types.js';
import { idParam, parseInput, queryInt } from '../validate.js';

const listQuery = z.object({
  limit: queryInt(1, 1000).default(100),
  offset: queryInt(0, 1_000_000_000).default(0),
});

export const identityRoutes = (engine: Engine): FastifyPluginAsync => async (app) => {
  app.get('/identities', { config: { scope: 'api:read' } }, async (request) => {
    const { limit, offset } = parseInput(listQuery, request.query, 'query');
    const [identities, total] = await Promise.all([
      engine.store.identities.list({ limit, offset }),
      engine.store.identities.count(),
    ]);
    return { identities, total, limit, offset };
  });

  app.get('/identities/:id', { config: { scope: 'api:read' } }, async (request) => {
    const { id } = parseInput(idParam, request.params, 'params');
    const identity = await engine.store.identities.get(id);
    if (identity === undefined) throw new RosterError('identity.not_found', `no identity '${id}'`);
    return engine.explain(id);
  });
};
