import { RosterError } from '../../core/errors.js';
import type { Change, Identity, Plan } from '../../core/types.js';
import type { RosterConfig, SourceConfig, TargetConfig } from '../../config/types.js';
import type { ApplyOptions, ApplyResult, Engine, Explain, IngestResult, PlanOptions } from '../../engine/types.js';
import { quarantineKey } from '../../executor/quarantine.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/types.js';
import { createMetrics } from '../metrics.js';

/**
 * A small Engine for edge tests (API and CLI): a real in-memory SQLite store,
 * a trivial ingest (records become identities), and canned plans. It records
 * every call so tests can see what the edge asked for.
 */
export interface FakeEngine extends Engine {
  readonly calls: { readonly method: string; readonly args: readonly unknown[] }[];
}

const fields = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' };

export const fakeSource: SourceConfig = {
  id: 'hr', type: 'push', key: 'employeeId', fields, delimiter: ',', complete: false, maxMissing: { percent: 20 },
};

export const fakeTarget: TargetConfig = {
  id: 'app', type: 'memory', connection: {}, scope: 'true', attributes: { username: 'identity.id' }, accountKey: 'username',
  leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
  safety: { maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10 },
  executor: { concurrency: 4, maxAttempts: 8, backoffBaseMs: 500, backoffMaxMs: 300_000, quarantineAfter: 20 },
};

export const fakeConfig: RosterConfig = {
  file: '/nowhere/roster.yaml', baseDir: '/nowhere', store: 'sqlite::memory:',
  server: { host: '127.0.0.1', port: 0, trustProxy: false },
  lifecycle: { prehireLeadDays: 7, leaveStatuses: ['leave'], terminatedStatuses: ['terminated'], rescindedStatuses: ['rescinded'], timezone: 'UTC' },
  sources: [fakeSource], targets: [fakeTarget], roles: [],
};

function summarise(changes: readonly Change[]): Plan['summary'] {
  const summary: Partial<Record<Change['action'], number>> = {};
  for (const change of changes) summary[change.action] = (summary[change.action] ?? 0) + 1;
  return summary;
}

let planCounter = 0;

/** Builds a plan over the given changes at the store's current serial (and saves it). */
export async function cannedPlan(store: Store, changes: readonly Change[], held = false): Promise<Plan> {
  planCounter += 1;
  const plan: Plan = {
    id: `plan-${planCounter}-${Date.now()}`, createdAt: new Date().toISOString(), basis: await store.state.serial(),
    changes, summary: summarise(changes), held,
    holds: held ? [{ target: 'app', code: 'safety.max_deletes', message: 'too many deletes', count: 9, limit: 1 }] : [],
    diagnostics: [],
  };
  await store.plans.save(plan);
  return plan;
}

export function change(identity: string, action: Change['action'], target = 'app'): Change {
  const after = action === 'create' ? { attributes: { username: identity.toLowerCase() }, enabled: true } : action === 'disable' ? { enabled: false } : null;
  return { id: `${target}:${identity}:${action}`, identity, target, action, before: null, after, reasons: ['test'] };
}

function identityFrom(key: string, attributes: Identity['attributes'], now: string): Identity {
  const terminated = attributes.status === 'terminated';
  return { id: key, sourceId: 'hr', attributes, state: terminated ? 'terminated' : 'active', version: 1, createdAt: now, updatedAt: now };
}

export async function createFakeEngine(): Promise<FakeEngine> {
  const store = await openStore('sqlite::memory:');
  const calls: { method: string; args: readonly unknown[] }[] = [];
  const metrics = createMetrics({ processMetrics: false });

  const apply = async (plan: Plan, options: ApplyOptions): Promise<ApplyResult> => {
    calls.push({ method: 'apply', args: [plan, options] });
    if ((await store.state.serial()) !== plan.basis) throw new RosterError('plan.stale', 'the state moved since the plan was made');
    if (plan.held && !options.force) throw new RosterError('plan.held', 'the plan is held');
    await store.queue.enqueue(plan.changes.map((c, seq) => ({
      id: `${plan.id}:${c.id}`, planId: plan.id, change: c, target: c.target, orderingKey: `${c.target}:${c.identity}`, seq,
    })));
    plan.changes.forEach((c, i) => options.onProgress?.(i + 1, plan.changes.length));
    return { planId: plan.id, applied: plan.changes.length, failed: 0, pending: 0, errors: [] };
  };

  const engine: FakeEngine = {
    config: fakeConfig, store, metrics, calls,
    async ingest(batch, actor): Promise<IngestResult> {
      calls.push({ method: 'ingest', args: [batch, actor] });
      const now = new Date().toISOString();
      await store.identities.upsertMany(batch.records.map((r) => identityFrom(r.key, r.attributes, now)));
      return {
        sourceId: batch.sourceId, received: batch.records.length, created: batch.records.length, changed: 0, unchanged: 0, missing: 0,
        problems: batch.problems, diagnostics: [], events: [], affected: batch.records.map((r) => r.key),
      };
    },
    async readSource(sourceId) {
      throw new RosterError('store.not_found', `no file source '${sourceId}'`);
    },
    async plan(options: PlanOptions = {}) {
      calls.push({ method: 'plan', args: [options] });
      const ids = options.identity !== undefined ? [options.identity] : ['E1', 'E2'];
      return cannedPlan(store, ids.map((id) => change(id, 'create')));
    },
    apply,
    async sync(options) {
      calls.push({ method: 'sync', args: [options] });
      const plan = await engine.plan(options);
      return { ingests: [], plan, result: await apply(plan, options) };
    },
    async reconcileIdentities(ids, actor) {
      calls.push({ method: 'reconcileIdentities', args: [ids, actor] });
      const identities = await store.identities.getMany(ids);
      const plan = await cannedPlan(store, identities.filter((i) => i.state === 'terminated').map((i) => change(i.id, 'disable')));
      return { ...(await apply(plan, { actor })), plan };
    },
    async explain(identityId): Promise<Explain> {
      const identity = await store.identities.get(identityId);
      if (identity === undefined) throw new RosterError('identity.not_found', `no identity '${identityId}'`);
      return {
        identity, effectiveState: identity.state, timeline: [], audit: [],
        accounts: [{
          target: 'app',
          desired: {
            target: 'app', identityId, present: true, enabled: true, attributes: { username: identityId.toLowerCase() },
            entitlements: ['staff'], reasons: ['joiner'],
            explanations: [{ subject: 'entitlement:staff', rule: 'role:everyone', detail: 'true' }],
          },
        }],
      };
    },
    async reconcile(targetId, options) {
      calls.push({ method: 'reconcile', args: [targetId, options] });
      const plan = await cannedPlan(store, []);
      return {
        target: targetId, accounts: 2, linked: 1, matched: [{ accountId: 'e2', identity: 'E2', rule: 'username = identity.employeeId' }],
        orphans: [{ accountId: 'x9', key: 'x9' }], disputed: [], vanished: [], plan,
      };
    },
    async checkTargets() {
      calls.push({ method: 'checkTargets', args: [] });
      return engine.config.targets.map((t) => ({ target: t.id, ok: true }));
    },
    async releaseQuarantine(targetId, actor) {
      calls.push({ method: 'releaseQuarantine', args: [targetId, actor] });
      if (!engine.config.targets.some((t) => t.id === targetId)) throw new RosterError('target.not_found', `no target '${targetId}' in the configuration`);
      const held = await store.state.get(quarantineKey(targetId));
      await store.state.set(quarantineKey(targetId), null);
      return held !== undefined && held !== null;
    },
    async holdQuarantine(targetId, actor, reason) {
      calls.push({ method: 'holdQuarantine', args: [targetId, actor, reason] });
      if (!engine.config.targets.some((t) => t.id === targetId)) throw new RosterError('target.not_found', `no target '${targetId}' in the configuration`);
      const held = await store.state.get(quarantineKey(targetId));
      if (held !== undefined && held !== null) return false;
      await store.state.set(quarantineKey(targetId), { since: new Date().toISOString(), reason, by: actor });
      return true;
    },
    async cancelQueued(filter, actor, reason) {
      calls.push({ method: 'cancelQueued', args: [filter, actor, reason] });
      if (filter.target !== undefined && !engine.config.targets.some((t) => t.id === filter.target)) throw new RosterError('target.not_found', `no target '${filter.target}' in the configuration`);
      if (filter.planId !== undefined && await store.plans.get(filter.planId) === undefined) throw new RosterError('plan.not_found', `no plan '${filter.planId}'`);
      const cancelled = await store.queue.cancel(filter, { audit: { kind: 'queue.cancelled', actor, data: { ...filter, reason } } });
      return { ...filter, cancelled, running: (await store.queue.stats(filter)).running };
    },
    async start() {},
    async close() {
      await store.close();
    },
  };
  return engine;
}
