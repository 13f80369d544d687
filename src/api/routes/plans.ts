import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { RosterError } from '../../core/errors.js';
import { withoutSealed } from '../../core/secrets.js';
import type { Plan } from '../../core/types.js';
import type { Engine } from '../../engine/types.js';
import { actorOf, requireScope } from '../auth.js';
import { idParam, parseInput, queryBool, queryInt, reasonText, storedText } from '../validate.js';

const listQuery = z.object({ limit: queryInt(1, 500).default(50) });
const planBody = z.strictObject({
  identity: storedText(1, 256).optional(),
  target: storedText(1, 256).optional(),
});
const applyQuery = z.object({ force: queryBool.default(false), background: queryBool.default(false) });
const cancelBody = z.strictObject({ reason: reasonText, target: storedText(1, 256).optional() });

/** A plan without its changes' bodies, for lists. */
export function planSummary(plan: Plan) {
  return {
    id: plan.id,
    createdAt: plan.createdAt,
    basis: plan.basis,
    summary: plan.summary,
    held: plan.held,
    holds: plan.holds,
    changes: plan.changes.length,
    diagnostics: plan.diagnostics.length,
  };
}

/**
 * A plan as the API shows it: its changes without their sealed secret values
 * (core/secrets.ts). Only the executor opens them, from the stored plan; an
 * `api:read` token has no use for the ciphertext.
 */
export function shownPlan(plan: Plan): Plan {
  if (!plan.changes.some((change) => change.after?.sealed !== undefined)) return plan;
  return { ...plan, changes: plan.changes.map((change) => (change.after?.sealed === undefined ? change : { ...change, after: withoutSealed(change.after) })) };
}

async function loadPlan(engine: Engine, id: string): Promise<Plan> {
  const plan = await engine.store.plans.get(id);
  if (plan === undefined) throw new RosterError('plan.not_found', `no plan '${id}'`);
  return plan;
}

export const planRoutes = (engine: Engine): FastifyPluginAsync => async (app) => {
  app.get('/plans', { config: { scope: 'api:read' } }, async (request) => {
    const { limit } = parseInput(listQuery, request.query, 'query');
    const plans = await engine.store.plans.list({ limit });
    return { plans: plans.map(planSummary) };
  });

  app.get('/plans/:id', { config: { scope: 'api:read' } }, async (request) => {
    const { id } = parseInput(idParam, request.params, 'params');
    return shownPlan(await loadPlan(engine, id));
  });

  app.post('/plans', { config: { scope: 'api:write' } }, async (request, reply) => {
    const options = parseInput(planBody, request.body, 'body');
    if (options.target !== undefined && !engine.config.targets.some((t) => t.id === options.target)) {
      throw new RosterError('target.not_found', `no target '${options.target}' in the configuration`);
    }
    const plan = await engine.plan({ ...options, actor: actorOf(request) });
    return reply.status(201).send(shownPlan(plan));
  });

  app.post('/plans/:id/apply', { config: { scope: 'api:write' } }, async (request) => {
    const { id } = parseInput(idParam, request.params, 'params');
    const { force, background } = parseInput(applyQuery, request.query, 'query');
    if (force) requireScope(request, 'admin');
    const plan = await loadPlan(engine, id);
    return engine.apply(plan, { actor: actorOf(request), force, background });
  });

  // The plan's changes not yet started never run (all of them, or those to `target`); running ones finish.
  app.post('/plans/:id/cancel', { config: { scope: 'admin' } }, async (request) => {
    const { id } = parseInput(idParam, request.params, 'params');
    const { reason, target } = parseInput(cancelBody, request.body ?? {}, 'body');
    return engine.cancelQueued({ planId: id, ...(target === undefined ? {} : { target }) }, actorOf(request), reason);
  });
};
