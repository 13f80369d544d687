import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Engine } from '../../engine/types.js';
import { parseInput, storedText } from '../validate.js';

const changesQuery = z.object({ planId: storedText(1, 256) });

export const changeRoutes = (engine: Engine): FastifyPluginAsync => async (app) => {
  app.get('/changes', { config: { scope: 'api:read' } }, async (request) => {
    const { planId } = parseInput(changesQuery, request.query, 'query');
    const jobs = await engine.store.queue.listByPlan(planId);
    return {
      planId,
      changes: jobs.map((job) => ({
        id: job.change.id,
        jobId: job.id,
        identity: job.change.identity,
        target: job.target,
        action: job.change.action,
        status: job.status,
        attempts: job.attempts,
        ...(job.lastError !== undefined ? { lastError: job.lastError } : {}),
        updatedAt: job.updatedAt,
      })),
    };
  });
};
