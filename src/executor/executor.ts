import type { ExecutorConfig, TargetConfig } from '../config/types.js';
import { isRosterError, RosterError } from '../core/errors.js';
import type { Job, Plan } from '../core/types.js';
import type { Connector, Logger } from '../connectors/types.js';
import type { EnqueueJob, Store } from '../store/types.js';
import { applyChange } from './apply-change.js';
import { backoffDelay, redactMessage } from './backoff.js';
import { idleWait, reached } from './idle.js';
import { QuarantineKeeper } from './quarantine.js';

export type JobOutcome = 'applied' | 'failed' | 'retry';

export interface ExecutorOptions {
  readonly store: Store;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly targets: readonly TargetConfig[];
  readonly workerId: string;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** Metrics hook, called once per attempt. */
  readonly onResult?: (job: Job, outcome: JobOutcome, error?: RosterError) => void;
  /** Idle poll interval of the background loop (start()), default 200. */
  readonly pollMs?: number;
  /** How long a claimed job is leased before another worker may take it over (default 60 s). */
  readonly leaseMs?: number;
}

export interface RunOptions {
  readonly planId?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

const DEFAULTS: ExecutorConfig = { concurrency: 4, maxAttempts: 8, backoffBaseMs: 500, backoffMaxMs: 300_000, quarantineAfter: 20 };
const ENQUEUE_BATCH = 5_000;
const FINISHED = new Set(['done', 'failed', 'cancelled']);

/**
 * Applies plans through the store's durable queue: claims leased batches,
 * runs them concurrently within each target's concurrency, retries with
 * backoff, quarantines a failing target. Every effect of a change (link,
 * audit) commits with the job's completion, so a crash loses or repeats
 * nothing: the connector's idempotent writes absorb a re-run.
 */
export class Executor {
  readonly #o: ExecutorOptions;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #actor: string;
  readonly #targets: ReadonlyMap<string, ExecutorConfig>;
  readonly #quarantine: QuarantineKeeper;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #wakers = new Set<() => void>();
  #loop: Promise<void> | undefined;
  #running = false;

  constructor(options: ExecutorOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#actor = `executor:${options.workerId}`;
    this.#targets = new Map(options.targets.map((t) => [t.id, { ...DEFAULTS, ...t.executor }]));
    this.#quarantine = new QuarantineKeeper(options.store, options.log, this.#actor);
  }

  /** One job per change (id `${plan.id}:${change.id}`), in plan order; enqueueing again is a no-op. */
  async enqueuePlan(plan: Plan): Promise<number> {
    const jobs: EnqueueJob[] = plan.changes.map((change, seq) => {
      if (!this.#targets.has(change.target)) throw new RosterError('target.not_found', `plan ${plan.id}: change ${change.id} is for unknown target ${change.target}`);
      return { id: `${plan.id}:${change.id}`, planId: plan.id, change, target: change.target, orderingKey: `${change.target}:${change.identity}`, seq };
    });
    for (let i = 0; i < jobs.length; i += ENQUEUE_BATCH) await this.#o.store.queue.enqueue(jobs.slice(i, i + ENQUEUE_BATCH));
    return jobs.length;
  }

  /** Work until no runnable job is left (waiting for retries and expired leases due within ~30 s). */
  async runUntilIdle(options: RunOptions = {}): Promise<{ applied: number; failed: number }> {
    const { planId, signal, onProgress } = options;
    const queue = this.#o.store.queue;
    const start = planId === undefined ? [] : await queue.listByPlan(planId);
    const before = new Map(start.map((job) => [job.id, job.status]));
    const own = { applied: 0, failed: 0 };
    let done = start.filter((job) => FINISHED.has(job.status)).length;
    const onOutcome = (outcome: JobOutcome) => {
      if (outcome === 'retry') return;
      own[outcome] += 1;
      done += 1;
      onProgress?.(Math.min(done, start.length), start.length);
    };
    let idleSince = this.#now().getTime();
    while (signal?.aborted !== true) {
      const active = await this.#activeTargets();
      if (this.#claimable(active) && await this.#claimAndStart(active, onOutcome) > 0) {
        idleSince = this.#now().getTime();
        continue;
      }
      if (this.#inFlight.size > 0) {
        await Promise.race(this.#inFlight.values());
        continue;
      }
      let wait: number | undefined;
      if (planId !== undefined) {
        const jobs = await queue.listByPlan(planId);
        done = jobs.filter((job) => FINISHED.has(job.status)).length;
        wait = idleWait(jobs, active, this.#now(), this.#o.pollMs ?? 200);
      } else if (await this.#hasUnfinished(active) && this.#now().getTime() - idleSince < 30_000) {
        wait = this.#o.pollMs ?? 200;
      }
      if (wait === undefined) break;
      await this.#sleep(wait, signal);
    }
    await Promise.all(this.#inFlight.values());
    if (planId === undefined) return own;
    const after = await queue.listByPlan(planId);
    return { applied: reached('done', before, after), failed: reached('failed', before, after) };
  }

  /** Start the background loop (`roster serve`). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#background();
  }

  /** Stop claiming, wait for the jobs in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wakeUp();
    await this.#loop;
    await Promise.all(this.#inFlight.values());
  }

  /** Poll at once (new jobs were enqueued). */
  wakeUp(): void {
    for (const wake of this.#wakers) wake();
    this.#wakers.clear();
  }

  releaseQuarantine(target: string): Promise<void> {
    return this.#quarantine.release(target);
  }

  isQuarantined(target: string): Promise<boolean> {
    return this.#quarantine.isQuarantined(target);
  }

  async #background(): Promise<void> {
    while (this.#running) {
      try {
        const active = await this.#activeTargets();
        if (this.#claimable(active) && await this.#claimAndStart(active, () => {}) > 0) continue;
        if (this.#inFlight.size > 0) await Promise.race([...this.#inFlight.values(), this.#sleep(this.#o.pollMs ?? 200)]);
        else await this.#sleep(this.#o.pollMs ?? 200);
      } catch (error) {
        this.#o.log.error('executor loop failed', { error: redactMessage(String(error)) });
        await this.#sleep(this.#o.pollMs ?? 200);
      }
    }
  }

  async #activeTargets(): Promise<Set<string>> {
    const active = new Set<string>();
    for (const target of this.#targets.keys()) if (!(await this.#quarantine.isQuarantined(target))) active.add(target);
    return active;
  }

  #claimable(active: ReadonlySet<string>): boolean {
    let capacity = 0;
    for (const target of active) capacity += this.#targets.get(target)?.concurrency ?? 0;
    return active.size > 0 && capacity > this.#inFlight.size;
  }

  async #hasUnfinished(active: ReadonlySet<string>): Promise<boolean> {
    for (const target of active) {
      const stats = await this.#o.store.queue.stats({ target });
      if (stats.pending + stats.running > 0) return true;
    }
    return false;
  }

  async #claimAndStart(active: ReadonlySet<string>, onOutcome: (outcome: JobOutcome) => void): Promise<number> {
    const perTarget: Record<string, number> = {};
    let capacity = 0;
    for (const target of active) {
      perTarget[target] = this.#targets.get(target)?.concurrency ?? DEFAULTS.concurrency;
      capacity += perTarget[target];
    }
    const jobs = await this.#o.store.queue.claim({
      workerId: this.#o.workerId, limit: capacity - this.#inFlight.size, leaseMs: this.#o.leaseMs ?? 60_000,
      now: this.#now(), targets: [...active], perTarget,
    });
    let started = 0;
    for (const job of jobs) {
      if (this.#inFlight.has(job.id)) continue;
      const run = this.#runJob(job).then(onOutcome, () => {}).finally(() => this.#inFlight.delete(job.id));
      this.#inFlight.set(job.id, run);
      started += 1;
    }
    return started;
  }

  /** Never rejects: every outcome is recorded in the queue (or left to the lease to expire). */
  async #runJob(job: Job): Promise<JobOutcome> {
    const connector = this.#o.connectors.get(job.target);
    try {
      if (connector === undefined) throw new RosterError('target.not_found', `no connector for target ${job.target}`);
      const effects = await applyChange(job, { store: this.#o.store, connector, actor: this.#actor, now: this.#now });
      const completed = await this.#o.store.queue.complete(job.id, this.#o.workerId, effects);
      if (!completed) {
        this.#o.log.warn('job lease lost before completion; another worker owns it now', { jobId: job.id });
        return 'retry';
      }
      this.#quarantine.succeeded(job.target);
      this.#o.onResult?.(job, 'applied');
      return 'applied';
    } catch (error) {
      return this.#failed(job, error);
    }
  }

  async #failed(job: Job, thrown: unknown): Promise<JobOutcome> {
    const error = isRosterError(thrown) ? thrown
      : new RosterError('target.unavailable', thrown instanceof Error ? thrown.message : String(thrown), { retryable: true, cause: thrown });
    const config = this.#targets.get(job.target) ?? DEFAULTS;
    const message = redactMessage(`${error.code}: ${error.message}`);
    const now = this.#now();
    const final = !error.retryable || job.attempts >= config.maxAttempts;
    const { change } = job;
    try {
      if (final) {
        await this.#o.store.queue.fail(job.id, message, null, [{
          kind: 'change.failed', actor: this.#actor, identity: change.identity, target: change.target, reasons: change.reasons,
          before: change.before, after: change.after,
          data: { planId: job.planId, changeId: change.id, action: change.action, error: message, code: error.code, attempts: job.attempts },
        }]);
      } else {
        const delay = Math.max(backoffDelay(job.attempts, config.backoffBaseMs, config.backoffMaxMs, this.#random), error.retryAfterMs ?? 0);
        await this.#o.store.queue.fail(job.id, message, new Date(now.getTime() + delay));
      }
      this.#o.log.warn(final ? 'change failed' : 'change failed; will retry', { jobId: job.id, target: job.target, attempts: job.attempts, error: message });
      await this.#quarantine.failed(job.target, config.quarantineAfter, message, now);
    } catch (storeError) {
      this.#o.log.error('could not record a failed change; its lease will expire and it will run again', { jobId: job.id, error: redactMessage(String(storeError)) });
    }
    const outcome: JobOutcome = final ? 'failed' : 'retry';
    this.#o.onResult?.(job, outcome, error);
    return outcome;
  }

  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.#wakers.add(done);
    });
  }
}
