import type { AuditEntryInput, Change, Job, JobStatus, LinkedAccount } from '../core/types.js';
import type { QueuedChange, QueuedChangesReader } from './queued-changes.js';
import type { Withdrawal } from './withdraw.js';

/** The durable queue's interfaces (QueueStore and what it takes and gives); re-exported by store/types.ts. */

export interface EnqueueJob {
  readonly id: string;
  readonly planId: string;
  readonly change: Job['change'];
  readonly target: string;
  readonly orderingKey: string;
  readonly seq: number;
}

/** What QueueStore.enqueue takes besides the jobs. */
export interface EnqueueOptions {
  /** When the jobs become due (default: the wall clock). */
  readonly now?: Date;
  /**
   * Re-check at enqueue time (store/enqueue.ts): called inside the insert's
   * transaction, once the enqueuers of the jobs' targets are serialised, with
   * the unfinished jobs of other plans on the jobs' accounts (oldest first;
   * not called when there are none). Returns the jobs not to insert, each
   * with the plan that has its change queued, and audit entries written in
   * the same transaction when any is left out.
   */
  readonly leaveOut?: (waiting: readonly QueuedChange[]) => {
    readonly jobs: ReadonlyMap<string, string>;
    readonly audit?: readonly AuditEntryInput[];
  };
  /**
   * Queued changes of earlier plans the plan withdraws (Plan.withdrawn):
   * cancelled in the same transaction, before the re-check reads the queue,
   * or the plan refused as stale (nothing inserted) when one has started
   * (store/withdraw.ts). Given with a plan's first batch only.
   */
  readonly withdraw?: Withdrawal;
}

/**
 * What QueueStore.fail takes to fail, with a job failed for good, the jobs
 * that depend on it: called inside the fail's transaction with the pending
 * jobs of the same ordering key that run after it (later in its plan, or
 * enqueued after it by another plan), in the order they would run (not called
 * when there are none). Returns the jobs to fail, each with its error, and
 * their audit entries; those jobs never run.
 */
export type FailDependents = (waiting: readonly Job[]) => {
  readonly jobs: ReadonlyMap<string, string>;
  readonly audit: readonly AuditEntryInput[];
};

/** The jobs QueueStore.enqueue left out (`leaveOut`), and the plan that has each one's change queued. */
export interface EnqueueResult {
  readonly leftOut: readonly { readonly jobId: string; readonly queuedBy: string }[];
  /** The jobs `withdraw` cancelled (absent without `withdraw`). */
  readonly withdrawn?: readonly string[];
}

export interface JobEffects {
  readonly upsertAccount?: LinkedAccount;
  readonly removeAccount?: { readonly target: string; readonly identityId: string };
  readonly audit?: readonly AuditEntryInput[];
}

/** One finished job for `QueueStore.completeMany`. */
export interface CompletedJob {
  readonly jobId: string;
  readonly effects?: JobEffects;
}

export interface QueueStats {
  readonly pending: number;
  readonly running: number;
  readonly done: number;
  readonly failed: number;
  /** Cancelled by an operator before they ran (`roster queue cancel`): never run, no longer holding anything back. */
  readonly cancelled: number;
}

/** Which pending jobs QueueStore.cancel cancels: a target's, a plan's, or a plan's on one target. */
export interface CancelFilter {
  readonly target?: string;
  readonly planId?: string;
}

export interface CancelOptions {
  /**
   * Jobs of the filter that `workerId` leased and has not started (they wait
   * in its lines): cancelled too, while still running under that worker.
   */
  readonly leased?: { readonly workerId: string; readonly jobIds: readonly string[] };
  /** Appended in the same transaction when any job was cancelled, with `cancelled` (the count) added to its data. */
  readonly audit?: AuditEntryInput;
  /** false: only the `leased` jobs, no pending one (default true). */
  readonly pending?: boolean;
}

/** A queued job as progress sees it: everything but the change. */
export type JobState = Omit<Job, 'change'>;

/** A worker holding live leases on a target's jobs (QueueStore.leaseHolders). */
export interface LeaseHolder {
  readonly workerId: string;
  readonly target: string;
  /** The latest lease end of its jobs on the target (ISO). */
  readonly leaseUntil: string;
}

export interface QueueStore extends QueuedChangesReader {
  /** Adds jobs; ids already present are ignored (enqueueing is idempotent). */
  /**
   * `now` is when the jobs become due (default: the wall clock). The executor
   * passes its own clock, the one `claim` compares against: with a test or
   * replay clock behind the wall clock, wall-clock due times would never come.
   */
  enqueue(jobs: readonly EnqueueJob[], options?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Atomically leases up to `limit` runnable jobs: status pending with
   * nextRunAt <= now, or running with an expired lease (a crashed worker),
   * and no earlier (lower seq) unfinished job with the same orderingKey.
   * At most `perTarget[target]` jobs per target may be running at once
   * (counting the ones already leased by anyone). Sets status running,
   * leaseUntil = now + leaseMs, attempts + 1.
   */
  claim(options: {
    readonly workerId: string;
    readonly limit: number;
    readonly leaseMs: number;
    readonly now?: Date;
    readonly targets?: readonly string[];
    readonly perTarget?: Readonly<Record<string, number>>;
    /**
     * Prefetch: while no other worker holds a live lease on a target, this
     * worker may lease up to `window[target]` of its jobs (it runs at most
     * `perTarget[target]` of them at once itself). As soon as another worker
     * holds one too, `perTarget` bounds the live leases of all of them
     * together, so the target never sees more than `perTarget` at once.
     */
    readonly window?: Readonly<Record<string, number>>;
    /**
     * The change of a leased job when the caller already holds it (it
     * enqueued the plan itself, see Executor), else undefined. Those changes
     * are not read back from the store: reading and parsing every change
     * again was a good part of what a claim cost. What it returns must be
     * what the job was enqueued with, as stored (store/json asStored).
     */
    readonly knownChange?: (job: JobState) => Change | undefined;
    /**
     * Workers whose process the caller knows to be gone (executor/worker-id.ts):
     * their running jobs are claimable at once, as if their leases had run
     * out (the same takeover, attempt counted), and their leases do not count
     * against `perTarget`.
     */
    readonly deadWorkers?: readonly string[];
  }): Promise<Job[]>;
  /**
   * The workers holding a live lease (running, lease not run out at `now`):
   * one row per worker and target, with the latest `lease_until` of its jobs
   * there (a worker's renewal sets it to the renewal's time plus its lease).
   */
  leaseHolders(now: Date): Promise<LeaseHolder[]>;
  /**
   * Marks the job done and, in the same transaction, records what applying it
   * changed: the account link written or removed and the audit entries. A
   * crash therefore leaves either all of it or none of it. Returns false (and
   * writes nothing) when the job is no longer running under `workerId`.
   */
  complete(jobId: string, workerId: string, effects?: JobEffects): Promise<boolean>;
  /**
   * `complete` for many jobs in one transaction: each job still running under
   * `workerId` is marked done and its effects written (in the order given);
   * the others are left alone. Returns, per job given, whether it completed.
   * All or nothing: when any effect cannot be written, nothing is.
   */
  completeMany(workerId: string, jobs: readonly CompletedJob[]): Promise<boolean[]>;
  /**
   * Gives back leased jobs this worker never started: those still running
   * under `workerId` become pending again (due at once) and the claim's
   * attempt is undone (due at `dueAt` when given). Returns how many were released.
   */
  release(jobIds: readonly string[], workerId: string, dueAt?: Date): Promise<number>;
  /**
   * Extends to `leaseUntil` the leases this worker still holds on these jobs
   * (running under `workerId`; a lease already later stays), in one
   * statement: a worker keeps the jobs it is running while it is alive, and
   * a dead worker's leases still run out. Returns how many were extended.
   */
  renew(jobIds: readonly string[], workerId: string, leaseUntil: Date): Promise<number>;
  /**
   * Back to pending at `retryAt`, or failed for good when `retryAt` is null
   * (audit written in the same transaction), if the job is still running
   * (under `workerId` when given: a worker whose lease was taken over must
   * not end or re-queue the new holder's run). Returns whether it was recorded.
   * `dependents` (a failure for good only): the jobs that cannot run without
   * this one are failed in the same transaction (store/fail-dependents.ts).
   */
  fail(jobId: string, error: string, retryAt: Date | null, audit?: readonly AuditEntryInput[], workerId?: string, dependents?: FailDependents): Promise<boolean>;
  get(jobId: string): Promise<Job | undefined>;
  listByPlan(planId: string): Promise<Job[]>;
  /**
   * The plan's jobs without their changes (status, times, last error), in
   * listByPlan's order; only those in `statuses` when given. What progress
   * and idle checks read: cheap for a big plan.
   */
  listStatesByPlan(planId: string, statuses?: readonly JobStatus[]): Promise<JobState[]>;
  /**
   * The create jobs of `target` that may have added their account without
   * having linked it yet: running (whatever its lease), or pending again
   * after an attempt. What an orphan's delete or disable checks first
   * (another process's joiner looks like an orphan until its link lands).
   */
  createsUnderWay(target: string): Promise<Array<{ readonly jobId: string; readonly planId: string; readonly change: Change }>>;
  /** Jobs per status, of one target and/or one plan when given. */
  stats(options?: { readonly target?: string; readonly planId?: string }): Promise<QueueStats>;
  /**
   * Cancel every pending job of a target, of a plan, or of a plan on one
   * target (and the leased jobs `options.leased` names), in one transaction
   * with its audit entry. Running jobs are left to finish: they may be under
   * way at the target. Returns how many were cancelled.
   */
  cancel(filter: CancelFilter, options?: CancelOptions): Promise<number>;
  /**
   * Whether the target has a pending or running job on another account than
   * `orderingKey`'s (any plan's, any worker's): other changes that will run
   * and tell whether the target works (executor/quarantine-suspect.ts). With
   * `dueBy`, a pending job counts only when it is due by then (a retry due in
   * minutes tells nothing soon).
   */
  othersUnfinished(target: string, orderingKey: string, dueBy?: Date): Promise<boolean>;
  /** The plans with a pending or running job on the target (a cancel of the target covers these, not later plans). */
  unfinishedPlans(target: string): Promise<string[]>;
}
