import type { SourceConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import type { Engine } from '../engine/types.js';
import { TERMINATED_STATUS } from '../sources/index.js';
import { managerIdOf, scimMapping, scimUserKey, scimUserRow, scimUserSchema, scimUsersToBatch, type ScimMapping } from '../sources/scim.js';
import type { ScimResource } from '../store/types.js';
import type { ScimUserChange, ScimUserChangeOutcome } from './scim/types.js';

/**
 * The state-store key remembering which person a SCIM User is. The server
 * tells the hook only the id of a deleted User, after the resource is gone,
 * so the key must be known from an earlier write.
 */
export function scimUserKeyEntry(id: string): string {
  return `scim:user:${id}`;
}

/**
 * Inbound provisioning: the `onUserChange` hook of the SCIM server for the
 * scim source `sourceId`. A write becomes one record (a delete, a terminate
 * record: status terminated, end date now, unless the person is already
 * terminated: then the end date they have is kept) ingested as a partial
 * batch, and just that identity is reconciled before the SCIM response goes out — as an
 * HR push is — so a deactivation has disabled the accounts when the identity
 * provider hears back. A User the hook never saw (written while the hook
 * failed, or before the source existed) is left to the next full read of the
 * source, where a deleted one is a person gone from the source. The plan
 * applied and its follow-up (the references to a manager's account it
 * created, engine/follow-up.ts) are returned for the request log.
 */
export function scimInbound(engine: Engine, sourceId: string, now: () => Date = () => new Date()): (change: ScimUserChange, actor: string) => Promise<ScimUserChangeOutcome> {
  const source = engine.config.sources.find((candidate) => candidate.id === sourceId);
  if (source === undefined || source.type !== 'scim') {
    throw new RosterError('config.invalid', `scim.server.source '${sourceId}' is not a source of type scim`);
  }
  const mapping = scimMapping(source, scimUserSchema(engine.config.scim?.server.extensions));
  return async (change, actor) => {
    const batch = change.kind === 'upsert'
      ? await upsertBatch(engine, source, mapping, change.resource)
      : await deleteBatch(engine, mapping, change.id, now());
    const ingested = await engine.ingest(batch, actor);
    if (change.kind === 'delete') await engine.store.state.set(scimUserKeyEntry(change.id), undefined);
    if (ingested.affected.length === 0) return {};
    const { planId, followUp } = await engine.reconcileIdentities(ingested.affected, actor);
    return { planId, ...(followUp === undefined ? {} : { followUp }) };
  };
}

async function upsertBatch(engine: Engine, source: SourceConfig, mapping: ScimMapping, resource: ScimResource): Promise<SourceBatch> {
  const managerId = managerIdOf(resource, mapping);
  const manager = managerId === undefined ? undefined : await engine.store.scim.get('User', managerId);
  const managerKey = manager === undefined ? undefined : scimUserKey(manager, mapping);
  const batch = scimUsersToBatch([scimUserRow(resource, mapping)], mapping, (id) => (id === managerId ? managerKey : undefined), false);
  const [problem] = batch.problems;
  if (problem !== undefined) throw new RosterError('source.malformed', `${source.id}: ${problem.message}`);
  const key = batch.records[0]?.key;
  const entry = scimUserKeyEntry(resource.id);
  if (key !== undefined && (await engine.store.state.get<string>(entry)) !== key) await engine.store.state.set(entry, key);
  return batch;
}

async function deleteBatch(engine: Engine, mapping: ScimMapping, id: string, at: Date): Promise<SourceBatch> {
  const key = await engine.store.state.get<string>(scimUserKeyEntry(id));
  if (key === undefined) {
    throw new RosterError('store.not_found', `${mapping.sourceId}: deleted SCIM User ${id} was never ingested; the next full read of the source treats whoever it was as gone`);
  }
  // The first of lifecycle.terminatedStatuses: the status must mean "terminated" to this configuration.
  const status = engine.config.lifecycle.terminatedStatuses[0] ?? TERMINATED_STATUS;
  const attributes = { [mapping.key]: key, [mapping.fields.status]: status, [mapping.fields.endDate]: at.toISOString() };
  // Ends on arrival: someone already terminated (by `active: false`, or an earlier delivery of this
  // delete) keeps the end date they have, and with it the delete grace (lifecycle/merge.ts).
  return { sourceId: mapping.sourceId, records: [{ key, attributes, line: 1, endsOnArrival: true }], problems: [], complete: false, rowsRead: 1 };
}
