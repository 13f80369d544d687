import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Engine } from '../../engine/types.js';
import { parseInput, queryInt, storedText } from '../validate.js';

const auditQuery = z.object({
  afterSeq: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryInt(1, 1000).default(100),
  identity: storedText(1, 256).optional(),
  kind: storedText(1, 128).optional(),
});

export const auditRoutes = (engine: Engine): FastifyPluginAsync => async (app) => {
  app.get('/audit', { config: { scope: 'api:read' } }, async (request) => {
    const query = parseInput(auditQuery, request.query, 'query');
    // An entry the store cannot read back comes as {seq, unreadable} in its place: the rest of the page stays readable.
    const entries = await engine.store.audit.listMarked(query);
    const last = entries.at(-1);
    // `next` is the afterSeq to ask for the following page (absent on a short page).
    return { entries, ...(last !== undefined && entries.length === query.limit ? { next: last.seq } : {}) };
  });
};
