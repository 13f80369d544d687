import type { ExecutorConfig, TargetConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import type { SecretBox } from '../core/secrets.js';
import type { Job, JobStatus, Plan } from '../core/types.js';
import type { CancelFilter } from '../store/types.js';
import { applyChange } from './apply-change.js';
import { redactMessage } from './backoff.js';
import { CompletionBatcher } from './completions.js';
import { QueueCancels, type CancelAudit } from './cancels.js';
import { asRosterError, MAX_RETRY_DELAY_MS, recordFailure } from './failure.js';
import { hasUnfinished, idleWait } from './idle.js';
import { TargetLanes } from './lanes.js';
import { KnownChanges } from './known-changes.js';
import { GoneWorkers } from './gone-workers.js';
import { LeaseKeeper } from './leases.js';
import type { ExecutorOptions, JobOutcome, RunOptions } from './options.js';
import { ClaimedLinks } from './links.js';
import { TargetPauses } from './pauses.js';
import { QuarantineKeeper } from './quarantine.js';
import { planJobs } from './plan-jobs.js';
import { enqueuePlanJobs, type EnqueuePlanOptions } from './enqueue-plan.js';
import { PrefetchWindow } from './window.js';
import { lazySecretBox } from './secret-box.js';
import { Wakeups } from './wakeups.js';

export type { ExecutorOptions, JobOutcome, RunOptions } from './options.js';

const DEFAULTS: ExecutorConfig = { concurrency: 4, maxAttempts: 8, backoffBaseMs: 500, backoffMaxMs: 300_000, quarantineAfter: 20 };
/** Most jobs leased in one claim transaction. */
const MAX_CLAIM = 1000;
/** Statuses that still wait to run or are running. */
const UNFINISHED: readonly JobStatus[] = ['pending', 'running'];

/**
 * Applies plans through the store's durable queue. Claims lease batches of
 * runnable jobs (up to each target's prefetch window), which wait in
 * per-target lines and run at most `concurrency` at once per target; finished
 * jobs are committed in groups, each with its link and audit entry, so a
 * crash loses or repeats nothing (the connector's idempotent writes absorb a
 * re-run). Failures retry with backoff; a failing target is quarantined.
 */
export class Executor {
  readonly #o: ExecutorOptions;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #actor: string;
  readonly #leaseMs: number;
  readonly #targets: ReadonlyMap<string, ExecutorConfig>;
  readonly #quarantine: QuarantineKeeper;
  readonly #cancels: QueueCancels;
  readonly #lanes: TargetLanes;
  readonly #completions: CompletionBatcher;
  readonly #links: ClaimedLinks;
  readonly #leases: LeaseKeeper;
  readonly #gone: GoneWorkers;
  readonly #window = new PrefetchWindow();
  readonly #pauses = new TargetPauses();
  readonly #tasks = new Set<Promise<void>>();
  readonly #listeners = new Set<(outcome: JobOutcome, job: Job) => void>();
  readonly #wakeups = new Wakeups();
  /** The changes of the plans this executor enqueued, for its claims. */
  readonly #known = new KnownChanges();
  readonly #secretBox: () => Promise<SecretBox | undefined>;
  /** Each target's secret attributes and account key (TargetConfig.secrets, accountKey). */
  readonly #secretNames: ReadonlyMap<string, readonly string[]>;
  readonly #accountKeys: ReadonlyMap<string, string>;
  /** Something finished (or was enqueued) since a claim last came back short. */
  #fresh = true;
  #loop: Promise<void> | undefined;
  #running = false;

  constructor(options: ExecutorOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#actor = `executor:${options.workerId}`;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#targets = new Map(options.targets.map((t) => [t.id, { ...DEFAULTS, ...t.executor }]));
    this.#secretBox = lazySecretBox(options.secrets);
    this.#secretNames = new Map(options.targets.map((t) => [t.id, t.secrets ?? []]));
    this.#accountKeys = new Map(options.targets.map((t) => [t.id, t.accountKey]));
    this.#quarantine = new QuarantineKeeper(options.store, options.log, this.#actor, this.#now);
    this.#lanes = new TargetLanes(new Map([...this.#targets].map(([id, config]) => [id, config.concurrency])));
    this.#links = new ClaimedLinks(options.store.accounts);
    this.#cancels = new QueueCancels({
      store: options.store, log: options.log, workerId: options.workerId, now: this.#now, pollMs: options.pollMs ?? 200,
      drain: (which, target) => this.#lanes.drain(target, which), giveBack: (jobs) => this.#releaseIds(jobs),
      forget: (jobs) => jobs.forEach((job) => (this.#links.forget([job]), this.#known.forgetJob(job))),
    });
    this.#leases = new LeaseKeeper(options.store.queue, options.workerId, this.#leaseMs, this.#now, options.log);
    this.#gone = new GoneWorkers(options.store.queue, options.log, this.#now, this.#leaseMs);
    // Wait for more completions while jobs are running, unless the batch already holds half of what this worker holds:
    // then the prefetch window is clogged with finished jobs and the next claim waits for them.
    this.#completions = new CompletionBatcher(options.store.queue, options.workerId, options.log,
      (buffered) => this.#lanes.running > 0 && buffered * 2 < this.#lanes.total);
  }

  /** One job per change (id `${plan.id}:${change.id}`), in plan order; enqueueing again is a no-op; `options`: see enqueue-plan.ts. */
  async enqueuePlan(plan: Plan, options: EnqueuePlanOptions = {}): Promise<number> {
    const jobs = await enqueuePlanJobs(this.#o.store.queue, plan, planJobs(plan, this.#targets), this.#now, options);
    this.#known.remember(plan.id, jobs);
    this.#fresh = true;
    return jobs.length;
  }

  /** Work until no runnable job is left (waiting for retries and expired leases due within ~30 s). */
  async runUntilIdle(options: RunOptions = {}): Promise<{ applied: number; failed: number }> {
    const { planId, signal, onProgress } = options;
    const queue = this.#o.store.queue;
    // Counts, not the jobs: done and failed are final, so what this run reached is the difference.
    const start = planId === undefined ? undefined : await queue.stats({ planId });
    const total = start === undefined ? 0 : start.pending + start.running + start.done + start.failed;
    const own = { applied: 0, failed: 0 };
    let done = start === undefined ? 0 : start.done + start.failed;
    const listener = (outcome: JobOutcome, job: Job) => {
      if (outcome === 'retry') return;
      own[outcome] += 1;
      // The claims take any plan's runnable jobs: the plan's progress counts its own.
      if (planId !== undefined && job.planId !== planId) return;
      done += 1;
      onProgress?.(Math.min(done, total), total);
    };
    this.#listeners.add(listener);
    this.#fresh = true;
    let idleSince = this.#now().getTime();
    try {
      while (signal?.aborted !== true) {
        await this.#cancels.poll();
        this.#startReady();
        if (this.#shouldClaim() && await this.#claim() > 0) {
          idleSince = this.#now().getTime();
          continue;
        }
        if (this.#lanes.total > 0) {
          await this.#wakeups.sleep(undefined, signal);
          continue;
        }
        const active = await this.#quarantine.active(this.#targets.keys());
        let wait: number | undefined;
        if (planId !== undefined) {
          const unfinished = await queue.listStatesByPlan(planId, UNFINISHED);
          done = total - unfinished.length;
          wait = this.#gone.sooner(idleWait(unfinished, active, this.#now(), this.#o.pollMs ?? 200, this.#pauses.until), active, this.#now());
        } else if (await hasUnfinished(this.#o.store.queue, active) && this.#now().getTime() - idleSince < 30_000) {
          wait = this.#o.pollMs ?? 200;
        }
        if (wait === undefined) break;
        await this.#wakeups.sleep(wait, signal);
        this.#fresh = true;
      }
    } finally {
      if (signal?.aborted === true) await this.#giveBack();
      await this.#settle();
      this.#listeners.delete(listener);
      if (planId !== undefined) this.#known.forgetPlan(planId);
    }
    if (planId === undefined || start === undefined) return own;
    const after = await queue.stats({ planId });
    return { applied: after.done - start.done, failed: after.failed - start.failed };
  }

  /** Start the background loop (`roster serve`). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#background();
  }

  /** Stop claiming, give back the jobs not started, wait for the jobs in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wakeUp();
    await this.#loop;
    await this.#giveBack();
    await this.#settle();
  }

  /** Poll at once (new jobs were enqueued). */
  wakeUp(): void {
    this.#fresh = true;
    this.#wakeups.notify();
  }

  /** Lift a target's quarantine (see QuarantineKeeper.release) and claim at once; whether it was quarantined. */
  async releaseQuarantine(target: string, actor?: string): Promise<boolean> {
    const released = await this.#quarantine.release(target, actor);
    this.wakeUp();
    return released;
  }

  /** Hold a target by hand (see QuarantineKeeper.hold); its leased jobs not started are given back at once. */
  async holdQuarantine(target: string, actor: string, reason: string): Promise<boolean> {
    const held = await this.#quarantine.hold(target, actor, reason, this.#now());
    await this.#giveBack(target);
    return held;
  }

  isQuarantined = (target: string): Promise<boolean> => this.#quarantine.isQuarantined(target);

  /** Cancel a plan's and/or target's jobs not started, here and (at their next poll) in other workers (QueueCancels); how many here. */
  cancelQueued(filter: CancelFilter, audit: CancelAudit): Promise<number> {
    const cancel = this.#cancels.cancel(filter, audit).finally(() => this.wakeUp());
    // Tracked: the jobs it took off the lines are still 'running' in the store until it writes, so a run ending meanwhile waits for it.
    this.#track(cancel.then(() => undefined, () => undefined));
    return cancel;
  }

  async #background(): Promise<void> {
    const pollMs = this.#o.pollMs ?? 200;
    while (this.#running) {
      try {
        await this.#cancels.poll();
        this.#startReady();
        if (this.#shouldClaim() && await this.#claim() > 0) continue;
        await this.#wakeups.sleep(pollMs);
        this.#fresh = true;
      } catch (error) {
        this.#o.log.error('executor loop failed', { error: redactMessage(String(error)) });
        await this.#wakeups.sleep(pollMs);
      }
    }
  }

  #windowOf = (target: string, config: ExecutorConfig): number => this.#window.size(target, config.concurrency, this.#leaseMs);

  /** Claim when something may have become runnable and the windows have room worth a transaction. */
  #shouldClaim(): boolean {
    if (!this.#fresh) return false;
    let room = 0;
    for (const [target, config] of this.#targets) room += Math.max(0, this.#windowOf(target, config) - this.#lanes.held(target));
    return room > 0 && (this.#lanes.waiting === 0 || room >= MAX_CLAIM / 4);
  }

  async #claim(): Promise<number> {
    this.#fresh = false;
    const active = await this.#quarantine.active(this.#targets.keys());
    const nowMs = this.#now().getTime();
    for (const target of active) if (this.#pauses.isPaused(target, nowMs)) active.delete(target);
    const perTarget: Record<string, number> = {};
    const window: Record<string, number> = {};
    let limit = 0;
    for (const [target, config] of this.#targets) {
      if (!active.has(target)) {
        if (this.#lanes.held(target) > 0) await this.#giveBack(target);
        continue;
      }
      perTarget[target] = config.concurrency;
      window[target] = this.#windowOf(target, config);
      limit += Math.max(0, window[target] - this.#lanes.held(target));
    }
    limit = Math.min(limit, MAX_CLAIM);
    if (limit <= 0) return 0;
    const jobs = await this.#o.store.queue.claim({
      workerId: this.#o.workerId, limit, leaseMs: this.#leaseMs, now: this.#now(), targets: [...active], perTarget, window,
      knownChange: this.#known.lookup(), deadWorkers: await this.#gone.find([...active]),
    });
    if (jobs.length >= limit) this.#fresh = true;
    await this.#links.fetch(jobs).catch((error: unknown) => {
      this.#o.log.warn('could not read the links of claimed jobs; each job reads its own', { jobs: jobs.length, error: redactMessage(String(error)) });
    });
    this.#lanes.add(jobs);
    this.#startReady();
    return jobs.length;
  }

  /** Start every waiting job a free slot allows; one whose lease is nearly over, or whose target is paused or held, is given back instead. */
  #startReady(): void {
    const [stale, cancelled]: [Job[], Job[]] = [[], []];
    const now = this.#now().getTime();
    for (const job of this.#lanes.takeReady()) {
      const leaseLeft = job.leaseUntil === undefined ? this.#leaseMs : Date.parse(job.leaseUntil) - now;
      const covered = this.#cancels.covers(job);
      if (covered || leaseLeft < this.#leaseMs / 4 || this.#pauses.isPaused(job.target, now) || this.#quarantine.heldNow(job.target)) {
        this.#lanes.slotFreed(job.target);
        this.#completions.poke();
        (covered ? cancelled : stale).push(job);
        continue;
      }
      this.#track(this.#runJob(job));
    }
    if (stale.length > 0) this.#track(this.#release(stale));
    if (cancelled.length > 0) this.#track(this.#cancels.cancelLeased(cancelled).finally(() => this.#settled(cancelled)));
  }

  #track(task: Promise<void>): void {
    const tracked = task.finally(() => this.#tasks.delete(tracked));
    this.#tasks.add(tracked);
  }

  /** Never rejects: every outcome is recorded in the queue (or left to the lease to expire). */
  async #runJob(job: Job): Promise<void> {
    const started = performance.now();
    let slotHeld = true;
    const freeSlot = () => {
      if (!slotHeld) return;
      slotHeld = false;
      this.#lanes.slotFreed(job.target);
      this.#startReady();
      this.#completions.poke();
    };
    let outcome: JobOutcome = 'retry';
    this.#leases.hold(job.id);
    try {
      const connector = this.#o.connectors.get(job.target);
      if (connector === undefined) throw new RosterError('target.not_found', `no connector for target ${job.target}`);
      const claimed = this.#links.take(job.id);
      const box = job.change.after?.sealed === undefined ? undefined : await this.#secretBox();
      const effects = await applyChange(job, {
        store: this.#o.store, connector, actor: this.#actor, now: this.#now, claimed, secrets: this.#secretNames.get(job.target), accountKey: this.#accountKeys.get(job.target),
        ...(box === undefined ? {} : { unseal: (sealed: string, context: string) => box.unseal(sealed, context) }),
      });
      this.#window.record(job.target, performance.now() - started);
      freeSlot();
      if (await this.#completions.complete(job.id, effects)) {
        await this.#quarantine.succeeded(job.target, job.change.id);
        this.#o.onResult?.(job, 'applied');
        outcome = 'applied';
      } else {
        this.#o.log.warn('job lease lost before completion; another worker owns it now', { jobId: job.id });
      }
    } catch (error) {
      outcome = await this.#failed(job, error);
    } finally {
      this.#leases.letGo(job.id);
      this.#lanes.settled(job);
      this.#ended(job, outcome);
      this.#fresh = true;
      freeSlot();
      this.#wakeups.notify();
    }
  }

  /** A job's end (or its next attempt to come): forgotten once final, and told to the runs listening. */
  #ended(job: Job, outcome: JobOutcome): void {
    if (outcome !== 'retry') this.#known.forgetJob(job);
    for (const listener of this.#listeners) listener(outcome, job);
  }

  async #failed(job: Job, thrown: unknown): Promise<JobOutcome> {
    try {
      // Before the write: a claim under way may lease the retry the write puts back; that copy is a new attempt, not a duplicate.
      this.#lanes.recorded(job);
      const record = await recordFailure(job, thrown, {
        store: this.#o.store, log: this.#o.log, actor: this.#actor, config: this.#targets.get(job.target) ?? DEFAULTS,
        quarantine: this.#quarantine, now: this.#now, random: this.#random, workerId: this.#o.workerId, accountKey: this.#accountKeys.get(job.target),
      });
      // Failed with their create, never run (dependents.ts): they end here, counted as failures by the runs and the metrics.
      for (const skipped of record.notAttempted?.jobs ?? []) {
        this.#o.onResult?.(skipped, 'failed', undefined, { notAttempted: true });
        this.#ended(skipped, 'failed');
      }
      const { retryable, retryAfterMs = 0 } = record.error;
      // A Retry-After (429, 503) speaks for the target: hold all of its jobs here until then.
      const paused = retryable && retryAfterMs > 0;
      if (paused) this.#pauses.pause(job.target, this.#now().getTime() + Math.min(retryAfterMs, MAX_RETRY_DELAY_MS));
      if (record.quarantined || paused) await this.#giveBack(job.target);
      if (record.outcome === 'retry') await this.#cancels.cancelRequeued(job);
      this.#o.onResult?.(job, record.outcome, record.error);
      return record.outcome;
    } catch (error) {
      this.#o.onResult?.(job, 'retry', asRosterError(error));
      return 'retry';
    }
  }

  /** Hand the jobs not started (of one target, or all) back to the queue. */
  async #giveBack(target?: string): Promise<void> {
    const jobs = this.#lanes.drain(target);
    if (jobs.length > 0) await this.#releaseIds(jobs);
  }

  /** Jobs taken for a slot but not run (lease nearly over): back to the queue, then no longer held. */
  async #release(jobs: readonly Job[]): Promise<void> {
    await this.#releaseIds(jobs);
    this.#settled(jobs);
  }

  /** Jobs taken for a slot and handed back or cancelled unrun: no longer held. */
  #settled(jobs: readonly Job[]): void {
    for (const job of jobs) this.#lanes.settled(job);
    this.#fresh = true;
    this.#wakeups.notify();
  }

  async #releaseIds(jobs: readonly Job[]): Promise<void> {
    this.#links.forget(jobs);
    try {
      await this.#o.store.queue.release(jobs.map((job) => job.id), this.#o.workerId);
    } catch (error) {
      this.#o.log.warn('could not give back leased jobs; their leases will expire', { jobs: jobs.length, error: redactMessage(String(error)) });
    }
    this.#fresh = true;
  }

  /** Wait for every job in flight and every completion to be written. */
  async #settle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all(this.#tasks);
    await this.#completions.idle();
  }
}
