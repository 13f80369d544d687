import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { RosterError } from '../../core/errors.js';
import type { Engine } from '../../engine/types.js';
import { parsePushBody } from '../../sources/index.js';
import { actorOf } from '../auth.js';
import { idParam, parseInput } from '../validate.js';

export const PUSH_BODY_LIMIT = 10 * 1024 * 1024;

const pushScope = (request: FastifyRequest): string => `push:${(request.params as { id?: string }).id ?? ''}`;

/**
 * HR push (API-driven inbound provisioning): records in, identities merged,
 * and just the affected identities reconciled and applied in the same request,
 * so a termination disables every account before the response goes out.
 * Only a `type: push` source takes pushes (400 otherwise).
 */
export const pushRoutes = (engine: Engine, now: () => Date): FastifyPluginAsync => async (app) => {
  app.post(
    '/sources/:id/records',
    { bodyLimit: PUSH_BODY_LIMIT, config: { scope: pushScope } },
    async (request) => {
      const { id } = parseInput(idParam, request.params, 'params');
      const source = engine.config.sources.find((s) => s.id === id);
      if (source === undefined) throw new RosterError('store.not_found', `no source '${id}' in the configuration`);
      if (source.type !== 'push') {
        // The next read of a file, directory or scim source would overwrite what was pushed (or call the person gone).
        throw new RosterError('request.invalid', `source '${id}' is of type ${source.type}: it takes no pushes `
          + '(records pushed to it would be overwritten by its next read); push to a source of type push');
      }
      const batch = parsePushBody(request.body, {
        sourceId: source.id,
        key: source.key,
        dateFields: [source.fields.startDate, source.fields.endDate],
        now: now(),
        statusField: source.fields.status,
        // A status the lifecycle reads as terminated, whatever words the organisation uses.
        terminatedStatus: engine.config.lifecycle.terminatedStatuses[0],
        endDateField: source.fields.endDate,
      });
      const actor = actorOf(request);
      const ingested = await engine.ingest(batch, actor);
      const result = await engine.reconcileIdentities(ingested.affected, actor);
      return {
        received: ingested.received,
        created: ingested.created,
        changed: ingested.changed,
        unchanged: ingested.unchanged,
        problems: ingested.problems,
        // Key conflicts among them: a terminate for a person another source holds is ignored, and must not look like success.
        diagnostics: ingested.diagnostics,
        plan: { id: result.plan.id, summary: result.plan.summary, held: result.plan.held, holds: result.plan.holds },
        applied: result.applied,
        failed: result.failed,
        pending: result.pending,
      };
    },
  );
};
