import type { Logger } from '../connectors/types.js';
import type { AuditEntryInput, Job } from '../core/types.js';
import type { CancelFilter, Store } from '../store/types.js';
import { redactMessage } from './backoff.js';

/** An operator's cancel, as every worker reads it from the store's state. */
export interface CancelNotice extends CancelFilter {
  readonly actor: string;
  readonly reason: string;
  /**
   * When it was made (the canceller's clock), for pruning; a notice of a
   * target stored before `plans` existed covers the jobs enqueued before it.
   * A notice of a plan covers every job of the plan, whenever enqueued (a
   * big plan is enqueued in batches) and whatever the enqueuer's clock said.
   */
  readonly at: string;
  /**
   * A notice of a target alone: the plans with a job pending or running on
   * it at the cancel. It covers their jobs, not a later plan's, without
   * comparing the clocks of the canceller and the enqueuers.
   */
  readonly plans?: readonly string[];
}

/** The canceller's audit entry: `data` says why (and what was named); the store adds the count. */
export type CancelAudit = AuditEntryInput & { readonly data: { readonly reason: string; readonly [key: string]: unknown } };

export const CANCEL_NOTICES_KEY = 'queue.cancels';
/**
 * A notice is dropped (when the next cancel is written) once it is this old
 * and nothing it may cover is still pending or running: a job leased by a
 * worker that died, or waiting for a long retry, comes back any time later.
 */
const NOTICE_MS = 10 * 60_000;
const MAX_NOTICES = 100;

export interface CancelParts {
  readonly store: Store;
  readonly log: Logger;
  readonly workerId: string;
  readonly now: () => Date;
  readonly pollMs: number;
  /** Take the jobs not started that `which` picks off this worker's lines (no longer held). */
  readonly drain: (which: (job: Job) => boolean, target?: string) => Job[];
  /** Drained jobs this worker no longer keeps anything for. */
  readonly forget: (jobs: readonly Job[]) => void;
  /** Drained jobs whose cancel failed: back to the queue. */
  readonly giveBack: (jobs: readonly Job[]) => Promise<void>;
}

const filterOf = (notice: CancelFilter): CancelFilter => ({
  ...(notice.planId === undefined ? {} : { planId: notice.planId }), ...(notice.target === undefined ? {} : { target: notice.target }),
});

const noticeKey = (notice: CancelNotice): string => JSON.stringify([notice.at, notice.planId, notice.target, notice.actor, notice.reason, notice.plans]);

const matches = (notice: CancelFilter, job: Job): boolean => (notice.planId === undefined || job.planId === notice.planId)
  && (notice.target === undefined || job.target === notice.target);

/** Whether a notice covers a job leased by a worker: of its plan (and target), or of its target and of a plan unfinished there at the cancel. */
const covers = (notice: CancelNotice, job: Job): boolean => matches(notice, job)
  && (notice.planId !== undefined || (notice.plans === undefined ? job.createdAt <= notice.at : notice.plans.includes(job.planId)));

/**
 * Cancels queued jobs for an operator: the pending ones (in the store), the
 * ones this worker leased and has not started, and, through a notice in the
 * store's state that every worker reads at most every `pollMs`, the ones
 * other workers (other processes: `roster serve` beside the CLI) leased and
 * have not started. A worker starts no job a notice it knows covers (a
 * retry of a job that was running at the cancel included). Jobs already
 * running finish.
 */
export class QueueCancels {
  readonly #p: CancelParts;
  /** performance.now() of the last read: a wall clock stepping back must not stop the reads. */
  #readAt = Number.NEGATIVE_INFINITY;
  /** The notices as last read (or made here). */
  #notices: readonly CancelNotice[] = [];

  constructor(parts: CancelParts) {
    this.#p = parts;
  }

  /** The cancel itself (see Executor.cancelQueued): how many jobs it cancelled here. */
  async cancel(filter: CancelFilter, audit: CancelAudit): Promise<number> {
    const plans = filter.planId === undefined && filter.target !== undefined ? { plans: await this.#p.store.queue.unfinishedPlans(filter.target) } : {};
    const notice: CancelNotice = { ...filterOf(filter), actor: audit.actor, reason: audit.data.reason, at: this.#p.now().toISOString(), ...plans };
    const unstarted = this.#p.drain((job) => matches(filter, job), filter.target);
    this.#p.forget(unstarted);
    let count: number;
    try {
      count = await this.#p.store.queue.cancel(filter, { audit, leased: { workerId: this.#p.workerId, jobIds: unstarted.map((job) => job.id) } });
    } catch (error) {
      if (unstarted.length > 0) await this.#p.giveBack(unstarted);
      throw error;
    }
    const cutoff = Date.parse(notice.at) - NOTICE_MS;
    const old = (await this.#p.store.state.get<CancelNotice[]>(CANCEL_NOTICES_KEY) ?? []).filter((n) => Date.parse(n.at) <= cutoff);
    const spent = new Set<string>();
    for (const n of old) {
      const stats = await this.#p.store.queue.stats(filterOf(n));
      if (stats.pending + stats.running === 0) spent.add(noticeKey(n));
    }
    await this.#p.store.state.update<CancelNotice[]>(CANCEL_NOTICES_KEY, (current) => [
      ...(current ?? []).filter((n) => !spent.has(noticeKey(n))).slice(-(MAX_NOTICES - 1)), notice,
    ]);
    this.#notices = [...this.#notices, notice];
    return count;
  }

  /**
   * A job that was running when a cancel covering it came, failed, and was
   * put back to wait for its retry: cancelled now (with the other pending
   * jobs of its plan on its target, which the notice covers too) rather than
   * counted as pending until a worker claims it. Reads the notices first (a
   * cancel may have come while it ran). Never throws: left pending, the next
   * claim cancels it.
   */
  async cancelRequeued(job: Job): Promise<void> {
    await this.poll();
    const notice = this.#notices.find((n) => covers(n, job));
    if (notice === undefined) return;
    const data = { ...filterOf(notice), reason: notice.reason, worker: this.#p.workerId };
    const audit = { kind: 'queue.cancelled', actor: notice.actor, ...(notice.target === undefined ? {} : { target: notice.target }), data };
    try {
      await this.#p.store.queue.cancel({ planId: job.planId, target: job.target }, { audit });
    } catch (error) {
      this.#p.log.warn('could not cancel a change put back for a retry; a later claim will', { job: job.id, error: redactMessage(String(error)) });
    }
  }

  /** Whether a job must not start: a notice this worker knows covers it. */
  covers(job: Job): boolean {
    return this.#notices.length > 0 && this.#notices.some((notice) => covers(notice, job));
  }

  /**
   * Read the notices (at most every pollMs) and cancel the jobs waiting in
   * this worker's lines that they cover. Never throws: a failure is logged,
   * and tried again at the next poll.
   */
  async poll(): Promise<void> {
    const now = performance.now();
    if (now - this.#readAt < this.#p.pollMs) return;
    this.#readAt = now;
    try {
      // Every stored notice: the canceller drops them, by its clock, when spent (this worker's clock may be ahead).
      this.#notices = await this.#p.store.state.get<CancelNotice[]>(CANCEL_NOTICES_KEY) ?? [];
      if (this.#notices.length === 0) return;
      const covered = this.#p.drain((job) => this.covers(job));
      if (covered.length > 0) await this.cancelLeased(covered);
    } catch (error) {
      this.#p.log.warn('could not read or apply the cancels of queued changes; trying again', { error: redactMessage(String(error)) });
    }
  }

  /**
   * Cancel jobs this worker leased, took off its lines and never started
   * (covered by a notice), each notice's part audited as `queue.cancelled`
   * with the operator, the reason and this worker's id. A part that cannot
   * be cancelled is given back to the queue.
   */
  async cancelLeased(jobs: readonly Job[]): Promise<void> {
    this.#p.forget(jobs);
    let left = jobs;
    for (const notice of this.#notices) {
      const mine = left.filter((job) => covers(notice, job));
      if (mine.length === 0) continue;
      left = left.filter((job) => !covers(notice, job));
      const data = { ...filterOf(notice), reason: notice.reason, worker: this.#p.workerId };
      const audit = { kind: 'queue.cancelled', actor: notice.actor, ...(notice.target === undefined ? {} : { target: notice.target }), data };
      try {
        // Only the jobs named: the pending ones were the canceller's, or are new since.
        await this.#p.store.queue.cancel(filterOf(notice), { audit, leased: { workerId: this.#p.workerId, jobIds: mine.map((job) => job.id) }, pending: false });
      } catch (error) {
        this.#p.log.warn('could not cancel leased jobs; giving them back', { jobs: mine.length, error: redactMessage(String(error)) });
        await this.#p.giveBack(mine);
      }
    }
    if (left.length > 0) await this.#p.giveBack(left);
  }
}
