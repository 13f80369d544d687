import type { Change, Job } from '../core/types.js';
import { asStored } from '../store/json.js';
import type { EnqueueJob, JobState } from '../store/types.js';

/** Most changes held in memory for claims; beyond that they are read back from the queue. */
const MAX_KNOWN_CHANGES = 500_000;

/**
 * The changes of the plans an executor enqueued, by plan and job id: a claim
 * takes them from here (QueueStore.claim `knownChange`) instead of reading
 * and parsing every change back from its row. Dropped when the job ends (or
 * its plan's run does); a job run later (a retry, another worker) reads its
 * change from the queue.
 */
export class KnownChanges {
  readonly #plans = new Map<string, Map<string, Change>>();
  #count = 0;

  /** Keep a plan's enqueued changes as the queue stores them (asStored: itself when plain JSON data already). */
  remember(planId: string, jobs: readonly EnqueueJob[]): void {
    if (this.#plans.has(planId) || this.#count + jobs.length > MAX_KNOWN_CHANGES) return;
    this.#plans.set(planId, new Map(jobs.map((job) => [job.id, asStored(job.change)])));
    this.#count += jobs.length;
  }

  /** The lookup a claim takes, or undefined when nothing is held (the claim then reads every change). */
  lookup(): ((job: JobState) => Change | undefined) | undefined {
    return this.#plans.size === 0 ? undefined : this.#get;
  }

  readonly #get = (job: JobState): Change | undefined => this.#plans.get(job.planId)?.get(job.id);

  /** A job ended (done, or failed for good): its change is not needed again. */
  forgetJob(job: Job): void {
    const plan = this.#plans.get(job.planId);
    if (plan?.delete(job.id) !== true) return;
    this.#count -= 1;
    if (plan.size === 0) this.#plans.delete(job.planId);
  }

  forgetPlan(planId: string): void {
    this.#count -= this.#plans.get(planId)?.size ?? 0;
    this.#plans.delete(planId);
  }
}
