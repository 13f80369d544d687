import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { RosterError } from '../../core/errors.js';
import { Mutex } from '../../core/mutex.js';
import type { Engine } from '../../engine/types.js';
import { parsePushBody, skipOutOfOrder, skippedDiagnostic } from '../../sources/index.js';
import { actorOf } from '../auth.js';
import { idParam, parseInput } from '../validate.js';

export const PUSH_BODY_LIMIT = 10 * 1024 * 1024;

const pushScope = (request: FastifyRequest): string => `push:${(request.params as { id?: string }).id ?? ''}`;

/**
 * HR push (API-driven inbound provisioning): records in, identities merged,
 * and just the affected identities reconciled and applied in the same request,
 * so a termination disables every account before the response goes out.
 * Only a `type: push` source takes pushes (400 otherwise). Records carrying
 * `_changedAt` older than the latest applied for their person are skipped,
 * reported (diagnostics, `skipped`) and audited (sources/push-order.ts).
 * A plan creating managers' accounts with their reports' is followed by a
 * plan setting the reports' references, reported as `followUp`.
 */
export const pushRoutes = (engine: Engine, now: () => Date): FastifyPluginAsync => async (app) => {
  // The order check and the ingest of one push, one push at a time: of two pushes of the same person, the one let through later is ingested later.
  const ordered = new Mutex();
  app.post(
    '/sources/:id/records',
    { bodyLimit: PUSH_BODY_LIMIT, config: { scope: pushScope } },
    async (request) => {
      const { id } = parseInput(idParam, request.params, 'params');
      const source = engine.config.sources.find((s) => s.id === id);
      if (source === undefined) throw new RosterError('source.not_found', `no source '${id}' in the configuration`);
      if (source.type !== 'push') {
        // The next read of a file, directory or scim source would overwrite what was pushed (or call the person gone).
        throw new RosterError('request.invalid', `source '${id}' is of type ${source.type}: it takes no pushes `
          + '(records pushed to it would be overwritten by its next read); push to a source of type push');
      }
      const { changedAt, superseded, ...batch } = parsePushBody(request.body, {
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
      const { ingested, skipped } = await ordered.run(async () => {
        const gated = await skipOutOfOrder(batch, changedAt, engine.store.state);
        const skips = [...superseded, ...gated.skipped].sort((a, b) => a.line - b.line);
        if (skips.length > 0) {
          await engine.store.audit.append(skips.map(({ key, reason, ...data }) => ({
            kind: 'push.skipped', actor, identity: key, reasons: [`push.${reason}`], data: { sourceId: source.id, ...data },
          })));
        }
        return { ingested: await engine.ingest(gated.batch, actor), skipped: skips };
      });
      const result = await engine.reconcileIdentities(ingested.affected, actor);
      return {
        received: ingested.received + skipped.length,
        created: ingested.created,
        changed: ingested.changed,
        unchanged: ingested.unchanged,
        problems: ingested.problems,
        // Key conflicts among them: a terminate for a person another source holds is ignored, and must not look like success.
        diagnostics: [...skipped.map((s) => skippedDiagnostic(source.id, s)), ...ingested.diagnostics],
        // Records not applied because a later change of the same person is known (`_changedAt`).
        skipped,
        plan: { id: result.plan.id, summary: result.plan.summary, held: result.plan.held, holds: result.plan.holds },
        applied: result.applied,
        failed: result.failed,
        pending: result.pending,
        // The follow-up plan setting the references this plan deferred (engine/follow-up.ts), as the apply answer has it. Its
        // failures and holds are counted there, not above, and leave the answer a 200 as a failed change of the plan does.
        ...(result.followUp === undefined ? {} : { followUp: result.followUp }),
      };
    },
  );
};
