import type { RosterConfig } from '../config/types.js';
import type { Logger, Connector } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import { Mutex } from '../core/mutex.js';
import type { AuditEntryInput, Hold, Identity, Plan, SourceBatch } from '../core/types.js';
import { Executor, jobIdOf } from '../executor/index.js';
import type { LeftOutChange } from '../executor/enqueue-plan.js';
import { withoutLeftOut } from '../planner/queued.js';
import { quarantinedTargets, releasedRuns, RunTally } from './apply-report.js';
import { followUpReported } from './follow-up.js';
import { mergeBatch } from '../lifecycle/index.js';
import { truncationOf } from '../lifecycle/missing.js';
import { mayApplyOrphanPlan, unforceableHolds } from '../reconcile/holds.js';
import { readSource as readSourceBatch, sourceCursorKey, type PassMode } from '../sources/index.js';
import { onHeadMismatch } from '../store/audit.js';
import type { CancelFilter, Store } from '../store/types.js';
import { sharedSecretBox } from '../core/secrets.js';
import { checkTargets } from './check-targets.js';
import { dueSince } from './due.js';
import { requireApplySecrets, requireSecrets, requireSyncSecrets, sources, targets } from './missing-secrets.js';
import { Planning } from './planning.js';
import { reconcileTarget } from './reconcile.js';
import { identityIdOf, resolvedKeys } from './continued-keys.js';
import { explainIdentity } from './explain.js';
import { SafetyWindow, withWindowHolds } from './safety-window.js';
import { Scheduler } from './scheduler.js';
import type {
  ApplyOptions, ApplyResult, CancelResult, CheckTargetsOptions, Engine, EngineMetrics, Explain, IngestResult, PlanOptions, ReconcileOptions, ReconcileResult, SyncResult, TargetCheck,
} from './types.js';

export interface EngineParts {
  readonly config: RosterConfig;
  readonly store: Store;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly log: Logger;
  readonly metrics: EngineMetrics;
  readonly now: () => Date;
  readonly workerId: string;
}

export class RosterEngine implements Engine {
  readonly config: RosterConfig;
  readonly store: Store;
  readonly metrics: EngineMetrics;
  readonly #parts: EngineParts;
  readonly #planning: Planning;
  readonly #executor: Executor;
  readonly #window: SafetyWindow;
  /** Ingest and plan-then-apply sections run one at a time in this process. */
  readonly #mutex = new Mutex();
  /** What each apply's run finished, per plan (apply-report.ts). */
  readonly #tally = new RunTally();
  #scheduler: Scheduler | undefined;
  readonly #stopWarning: () => void;

  constructor(parts: EngineParts) {
    this.#parts = parts;
    this.config = parts.config;
    this.store = parts.store;
    this.metrics = parts.metrics;
    this.#planning = new Planning(parts.config, parts.store, parts.log);
    this.#window = new SafetyWindow(parts.store.state, parts.config.targets);
    // Seq, hashes and a sentence: nothing secret. The entry itself is in the log, for `roster audit verify`.
    this.#stopWarning = onHeadMismatch(parts.store.audit, (m) => parts.log.warn("audit head did not match the log: recorded as audit.head_mismatch (see 'roster audit verify')", {
      seq: m.seq, head: m.head, log: m.log, found: m.found,
    }));
    this.#executor = new Executor({
      store: parts.store,
      connectors: parts.connectors,
      targets: parts.config.targets,
      workerId: parts.workerId,
      leaseMs: (parts.config.executor?.leaseSeconds ?? 60) * 1000,
      log: parts.log,
      now: parts.now,
      secrets: () => sharedSecretBox(parts.store.state),
      onResult: (job, outcome, _error, detail) => {
        this.#tally.record(job, outcome, detail?.notAttempted === true);
        if (outcome === 'applied') parts.metrics.changesApplied(job.target);
        if (outcome === 'failed') parts.metrics.changesFailed(job.target);
      },
    });
  }

  ingest(batch: SourceBatch, actor: string): Promise<IngestResult> {
    return this.#mutex.run(() => this.#ingest(batch, actor));
  }

  /** Read a source (file, or directory: a full pass unless `mode` says incremental) and ingest it; a directory's cursor is stored after the ingest. */
  async readSource(sourceId: string, actor: string, options: { readonly mode?: PassMode } = {}): Promise<IngestResult> {
    const source = this.#source(sourceId);
    requireSecrets(this.config, sources([source.id]));
    const read = await readSourceBatch(source, {
      state: this.store.state,
      baseDir: this.config.baseDir,
      mode: options.mode,
      scim: { store: this.store.scim, extensions: this.config.scim?.server.extensions },
      log: this.#parts.log, timezone: this.config.lifecycle.timezone,
    });
    const result = await this.ingest(read.batch, actor);
    // A syncrepl cursor moves past the deletions it reported: held as truncated, they must be reported again.
    const held = read.keepCursorIfTruncated === true && result.diagnostics.some((d) => d.code === 'source.truncated');
    if (read.cursor !== undefined && !held) await this.store.state.set(sourceCursorKey(source.id), read.cursor);
    return { ...result, mode: read.mode };
  }

  async plan(options: PlanOptions = {}): Promise<Plan> {
    const started = performance.now();
    const plan = await this.#planning.compute(
      { identities: options.identity === undefined ? undefined : [await identityIdOf(this.store, options.identity)], target: options.target }, // E200 -> E100
      options.now ?? this.#parts.now(),
    );
    const computed = performance.now();
    await this.store.plans.save(plan);
    this.#parts.log.debug('plan saved', { planId: plan.id, changes: plan.changes.length, saveMs: Math.round(performance.now() - computed) });
    await this.store.audit.append([{
      kind: 'plan.created', actor: options.actor ?? 'system',
      data: { planId: plan.id, basis: plan.basis, summary: plan.summary, held: plan.held, holds: plan.holds },
    }]);
    this.metrics.cycleDuration('plan', performance.now() - started);
    return plan;
  }

  async apply(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
    const serial = await this.store.state.serial();
    if (serial !== plan.basis) {
      throw new RosterError('plan.stale', `the state changed since this plan was made (serial ${plan.basis} → ${serial}); make a new plan`, {
        details: { basis: plan.basis, serial },
      });
    }
    return (await this.#apply(plan, options)).result;
  }

  async sync(options: ApplyOptions & PlanOptions): Promise<SyncResult> {
    const started = performance.now();
    requireSyncSecrets(this.config, options.target);
    const ingests: IngestResult[] = [];
    for (const source of this.config.sources) {
      if (source.type !== 'push') ingests.push(await this.readSource(source.id, options.actor));
    }
    const plan = await this.plan(options);
    if (plan.held && !options.force) {
      this.metrics.cycleDuration('sync', performance.now() - started);
      return { ingests, plan };
    }
    const applied = await this.#apply(plan, options);
    this.metrics.cycleDuration('sync', performance.now() - started);
    return { ingests, plan: applied.plan, result: applied.result };
  }

  reconcileIdentities(ids: readonly string[], actor: string): Promise<ApplyResult & { plan: Plan }> {
    return this.#mutex.run(async () => {
      const now = this.#parts.now();
      const computed = await this.#planning.compute({ identities: ids }, now);
      // Small plans applied unattended are also judged over the targets' safety windows (this judging records a passing plan's counts).
      const plan = computed.held ? computed : withWindowHolds(computed, await this.#window.judge(computed, this.#planning.lastTotals, now));
      await this.store.plans.save(plan);
      await this.store.audit.append([{
        kind: 'plan.created', actor,
        data: { planId: plan.id, basis: plan.basis, summary: plan.summary, held: plan.held, identities: ids.length, ...(plan.held ? { holds: plan.holds } : {}) },
      }]);
      if (plan.held) this.#parts.log.warn('plan held', { planId: plan.id, actor, holds: plan.holds.map((h) => h.message) });
      if (plan.held || (plan.changes.length === 0 && (plan.withdrawn?.length ?? 0) === 0)) {
        return { plan, planId: plan.id, applied: 0, failed: 0, pending: plan.held ? plan.changes.length : 0, errors: [] };
      }
      const applied = await this.#apply(plan, { actor }, now);
      return { ...applied.result, plan: applied.plan };
    });
  }

  /** Why the identity a key names is as it is (explain.ts). */
  explain(key: string): Promise<Explain> {
    return explainIdentity({ store: this.store, connectors: this.#parts.connectors, now: this.#parts.now, desiredFor: (i, now) => this.#planning.desiredFor(i, now) }, key);
  }

  reconcile(targetId: string, options: ReconcileOptions): Promise<ReconcileResult> {
    const target = this.config.targets.find((t) => t.id === targetId);
    const connector = this.#parts.connectors.get(targetId);
    if (!target || !connector) throw new RosterError('target.not_found', `no target with id ${targetId}`);
    requireSecrets(this.config, targets([targetId]));
    return this.#mutex.run(async () => {
      const report = await reconcileTarget({ store: this.store, target, connector, now: this.#parts.now(), actor: options.actor,
        force: options.force ?? false, removeVanished: options.removeVanished ?? false, sourceIds: this.config.sources.map((s) => s.id),
      });
      await this.store.plans.save(report.plan);
      if (!options.apply || report.plan.changes.length === 0 || !mayApplyOrphanPlan(report.plan, options.force === true)) return report;
      const applied = await this.#apply(report.plan, options);
      return { ...report, plan: applied.plan, result: applied.result };
    });
  }

  /** Each target's check, timed (check-targets.ts). */
  checkTargets(options: CheckTargetsOptions = {}): Promise<TargetCheck[]> {
    return checkTargets(this.#parts.connectors, options);
  }

  async releaseQuarantine(targetId: string, actor: string): Promise<boolean> {
    this.#configuredTarget(targetId);
    return this.#executor.releaseQuarantine(targetId, actor);
  }

  async holdQuarantine(targetId: string, actor: string, reason: string): Promise<boolean> {
    this.#configuredTarget(targetId);
    return this.#executor.holdQuarantine(targetId, actor, reason);
  }

  async cancelQueued(filter: CancelFilter, actor: string, reason: string): Promise<CancelResult> {
    const { planId, target } = filter;
    if (planId === undefined && target === undefined) throw new RosterError('request.invalid', 'name a plan or a target whose pending changes to cancel');
    if (target !== undefined) this.#configuredTarget(target);
    if (planId !== undefined) {
      // A plan with no job was never applied, or does not exist: only then is the plan read (a big one is costly).
      const jobs = Object.values(await this.store.queue.stats({ planId })).reduce((sum, n) => sum + n, 0);
      if (jobs === 0 && await this.store.plans.get(planId) === undefined) throw new RosterError('plan.not_found', `no plan '${planId}'`);
    }
    const data = { ...(planId === undefined ? {} : { planId }), ...(target === undefined ? {} : { target }), reason };
    const cancelled = await this.#executor.cancelQueued(filter, { kind: 'queue.cancelled', actor, ...(target === undefined ? {} : { target }), data });
    return { ...filter, cancelled, running: (await this.store.queue.stats(filter)).running };
  }

  #configuredTarget(targetId: string): void {
    if (!this.config.targets.some((t) => t.id === targetId)) throw new RosterError('target.not_found', `no target '${targetId}' in the configuration`);
  }

  async start(): Promise<void> {
    requireSecrets(this.config, 'all', 'cannot serve'); // it reads every scheduled source and writes every target
    this.#executor.start();
    this.#scheduler = new Scheduler(this, this.#parts.log, this.#parts.now);
    this.#scheduler.start();
  }

  async close(): Promise<void> {
    this.#stopWarning();
    await this.#scheduler?.stop();
    await this.#executor.stop();
    for (const connector of this.#parts.connectors.values()) await connector.close();
    await this.store.close();
  }

  /** Identities whose dates (start, lead time, end, a delete grace from the end, a disable or leaving scope) have passed since `since` (engine/due.ts). */
  dueSince(since: Date, now: Date): Promise<string[]> {
    return dueSince(this.store, this.config, since, now);
  }

  async #ingest(batch: SourceBatch, actor: string): Promise<IngestResult> {
    const started = performance.now();
    const source = this.#source(batch.sourceId);
    const now = this.#parts.now(), { lifecycle } = this.config;
    const { batch: keyed, existing, note, continuation } = await resolvedKeys(this.store, source, lifecycle, batch, await this.#existing(batch), now); // continued, respelled
    const merged = note(mergeBatch({ batch: keyed, existing, source, lifecycle, now, continuation }));
    if (merged.upserts.length > 0) await this.store.identities.upsertMany(merged.upserts, merged.keys);
    if (merged.events.length > 0) await this.store.identities.appendEvents(merged.events);
    const truncated = merged.diagnostics.find((d) => d.code === 'source.truncated');
    if (batch.complete || batch.gone !== undefined) {
      // The numbers of people: how many would be gone, and how many source.maxMissing allows (lifecycle/missing.ts).
      const hold: Hold | null = truncated
        ? { target: '*', code: 'safety.source_truncated', message: truncated.message, ...(truncationOf(truncated) ?? { count: 0, limit: 0 }) }
        : null;
      await this.store.state.set(`hold:source:${source.id}`, hold);
    }
    // No `changes` key when an event has none: the stored text and hash are the same (JSON drops it), and
    // plain data is kept as given instead of round-tripped through JSON (store/json.ts asStored).
    const audit: AuditEntryInput[] = merged.events.map((event) => ({
      kind: `lifecycle.${event.kind}`, actor, identity: event.identityId, reasons: event.reasons,
      data: event.changes === undefined ? { effectiveAt: event.effectiveAt } : { effectiveAt: event.effectiveAt, changes: event.changes },
    }));
    audit.push({
      kind: 'source.ingested', actor,
      data: {
        sourceId: source.id, received: batch.records.length, problems: batch.problems,
        created: merged.created, changed: merged.changed, unchanged: merged.unchanged, missing: merged.missing.length,
        diagnostics: merged.diagnostics,
      },
    });
    await this.store.audit.append(audit, { returning: false });
    if (merged.diagnostics.length > 0) this.#parts.log.warn('source diagnostics', { source: source.id, diagnostics: merged.diagnostics });
    this.metrics.cycleDuration('ingest', performance.now() - started);
    return {
      sourceId: source.id,
      received: batch.records.length,
      created: merged.created,
      changed: merged.changed,
      unchanged: merged.unchanged,
      missing: merged.missing.length,
      problems: batch.problems,
      diagnostics: merged.diagnostics,
      events: merged.events,
      affected: merged.upserts.map((i) => i.id),
    };
  }

  /**
   * The stored identities a batch is merged with. A snapshot needs all of its
   * source's (to find who is gone) and also any of its keys that belong to
   * another source, so the merge decides who keeps those people
   * (lifecycle/merge.ts, claimOf) instead of taking them over unseen.
   */
  async #existing(batch: SourceBatch): Promise<Identity[]> {
    // A delta that reports people gone is judged against all of its source's live people, as a snapshot is (lifecycle/missing.ts).
    if (!batch.complete && batch.gone === undefined) return this.store.identities.getMany(batch.records.map((r) => r.key));
    const mine = await this.store.identities.list({ sourceId: batch.sourceId });
    if (mine.length === await this.store.identities.count()) return mine;
    const ids = new Set(mine.map((i) => i.id));
    const others = batch.records.filter((r) => !ids.has(r.key)).map((r) => r.key);
    if (others.length === 0) return mine;
    return [...mine, ...(await this.store.identities.getMany(others))];
  }

  /**
   * `counted`: when the safety window counted the plan (it judged it); else it is counted here. What another
   * process queued first (left out) is taken back from the window after the queuing: it counts in that plan.
   * Returns the plan as applied: without the changes another process queued meanwhile (executor/enqueue-plan.ts).
   */
  async #apply(plan: Plan, options: ApplyOptions, counted?: Date): Promise<{ result: ApplyResult; plan: Plan }> {
    // --force lifts the safety limits, never a reconcile plan's short-read or unread-rule hold (reconcile/holds.ts).
    const unforceable = unforceableHolds(plan);
    if (plan.held && (!options.force || unforceable.length > 0)) {
      const kept = options.force ? unforceable : plan.holds;
      throw new RosterError('plan.held', `the plan is held: ${kept.map((h) => h.message).join('; ')}`, { details: { holds: kept } });
    }
    await requireApplySecrets(this.config, this.store, plan);
    const started = performance.now();
    await this.store.audit.append([{
      kind: 'plan.applied', actor: options.actor,
      data: { planId: plan.id, changes: plan.changes.length, forced: Boolean(options.force && plan.held) },
    }]);
    const countedAt = counted ?? this.#parts.now();
    if (counted === undefined) await this.#window.record(plan, countedAt);
    let left: readonly LeftOutChange[] = [];
    const total = await this.#executor.enqueuePlan(plan, { leftOut: { actor: options.actor, report: (changes) => (left = changes) } }).catch(async (error: unknown) => {
      // Refused as stale at enqueue (a change it withdraws started meanwhile, store/withdraw.ts): nothing queued, nothing counted.
      if (error instanceof RosterError && error.code === 'plan.stale') await this.#window.withdraw(plan, { ...plan, changes: [] }, countedAt);
      throw error;
    });
    const applied = withoutLeftOut(plan, left);
    if (left.length > 0) {
      await this.store.plans.save(applied);
      await this.#window.withdraw(plan, applied, countedAt);
    }
    const leftOut = left.length === 0 ? {} : { leftOut: { changes: left.length, notes: applied.diagnostics.slice(plan.diagnostics.length) } };
    if (options.background) {
      this.#executor.wakeUp();
      return { plan: applied, result: { planId: plan.id, applied: 0, failed: 0, pending: total, errors: [], ...leftOut } };
    }
    const ran = await this.#tally.during(() => this.#executor.runUntilIdle({ planId: plan.id, onProgress: options.onProgress }), plan.id);
    // Counts and the failed jobs' states: reading (and parsing) every change of a big plan again costs most of a second.
    const stats = await this.store.queue.stats({ planId: plan.id });
    const failed = await this.store.queue.listStatesByPlan(plan.id, ['failed']);
    const changeIds = new Map(plan.changes.map((change) => [jobIdOf(plan.id, change.id), change.id]));
    const errors = failed.map((j) => ({ changeId: changeIds.get(j.id) ?? j.id, error: j.lastError ?? 'failed' }));
    this.metrics.cycleDuration('apply', performance.now() - started);
    const released = await releasedRuns(this.store, plan.id, ran);
    const followed = await followUpReported(applied, options.actor, {
      compute: (ids) => this.#planning.compute({ identities: ids }, this.#parts.now()), save: (p) => this.store.plans.save(p),
      audit: async (entries) => void await this.store.audit.append(entries),
      apply: async (p) => (await this.#apply(p, { actor: options.actor, force: options.force, onProgress: options.onProgress })).result,
      references: this.#planning.policy.managerAccountAttributes, force: options.force === true, log: this.#parts.log,
    });
    return {
      plan: applied,
      result: {
        planId: plan.id, applied: stats.done, failed: errors.length, pending: stats.pending + stats.running,
        ...(stats.cancelled > 0 ? { cancelled: stats.cancelled } : {}), errors, ...leftOut, ...(released.length > 0 ? { released } : {}),
        ...(stats.pending + stats.running > 0 ? await quarantinedTargets(this.store, plan.id) : {}),
        ...(followed === undefined ? {} : { followUp: followed }),
      },
    };
  }

  #source(sourceId: string) {
    const source = this.config.sources.find((s) => s.id === sourceId);
    if (!source) throw new RosterError('request.invalid', `no source with id ${sourceId}`);
    return source;
  }
}
