import type { Job } from '../core/types.js';

/**
 * The jobs this worker holds, per target: claimed and waiting for a slot,
 * running (at most the target's concurrency at once), or finished but not
 * yet recorded. A job counts as held until its outcome is in the store, so
 * the claim never leases more than the prefetch window allows.
 */
export class TargetLanes {
  readonly #concurrency: ReadonlyMap<string, number>;
  readonly #waiting = new Map<string, Job[]>();
  readonly #running = new Map<string, number>();
  readonly #held = new Map<string, number>();
  /** Every copy held (waiting, running or awaiting its record), by identity: a retry of a job can be held beside its last attempt. */
  readonly #copies = new Set<Job>();
  /** The copy of each job id held last. */
  readonly #latest = new Map<string, Job>();
  /** Copies whose outcome is in the store while they finish here (a failure put back for a retry). */
  readonly #recorded = new Set<Job>();
  #waitingTotal = 0;
  #runningTotal = 0;
  #heldTotal = 0;

  constructor(concurrency: ReadonlyMap<string, number>) {
    this.#concurrency = concurrency;
  }

  /**
   * Claimed jobs join the end of their target's line (claims come oldest
   * first). A job held already is not added twice: a waiting copy takes the
   * new lease; a running one whose lease ran out and was taken again here
   * carries on. But a running copy whose failure is recorded (`recorded`)
   * is finishing only: the job claimed again is its retry, and waits its turn.
   */
  add(jobs: readonly Job[]): void {
    for (const job of jobs) {
      const line = this.#waiting.get(job.target) ?? [];
      const held = this.#latest.get(job.id);
      if (held !== undefined) {
        const at = line.indexOf(held);
        if (at >= 0) {
          line[at] = job;
          this.#copies.delete(held);
          this.#copies.add(job);
          this.#latest.set(job.id, job);
          continue;
        }
        if (!this.#recorded.has(held)) continue;
      }
      this.#copies.add(job);
      this.#latest.set(job.id, job);
      line.push(job);
      this.#waiting.set(job.target, line);
      this.#held.set(job.target, (this.#held.get(job.target) ?? 0) + 1);
      this.#waitingTotal += 1;
      this.#heldTotal += 1;
    }
  }

  /** The running copy's outcome is in the store (a retry put back): the job claimed again from now on is a new attempt. */
  recorded(job: Job): void {
    if (this.#copies.has(job)) this.#recorded.add(job);
  }

  /** Jobs that may start now: taken off their lines and counted as running. */
  takeReady(): Job[] {
    const ready: Job[] = [];
    for (const [target, line] of this.#waiting) {
      const limit = this.#concurrency.get(target) ?? 1;
      let running = this.#running.get(target) ?? 0;
      while (running < limit && line.length > 0) {
        ready.push(line.shift() as Job);
        running += 1;
      }
      this.#running.set(target, running);
    }
    this.#waitingTotal -= ready.length;
    this.#runningTotal += ready.length;
    return ready;
  }

  /** The job's connector work is over: its slot is free for the next one. */
  slotFreed(target: string): void {
    this.#running.set(target, Math.max(0, (this.#running.get(target) ?? 0) - 1));
    this.#runningTotal = Math.max(0, this.#runningTotal - 1);
  }

  /** The job's outcome is recorded: it no longer counts against the window. */
  settled(job: Job): void {
    if (!this.#copies.delete(job)) return;
    this.#recorded.delete(job);
    if (this.#latest.get(job.id) === job) this.#latest.delete(job.id);
    this.#held.set(job.target, Math.max(0, (this.#held.get(job.target) ?? 0) - 1));
    this.#heldTotal = Math.max(0, this.#heldTotal - 1);
  }

  /** Take back the jobs of a target (or of all) that have not started, those `which` picks when given; they are no longer held. */
  drain(target?: string, which?: (job: Job) => boolean): Job[] {
    const drained: Job[] = [];
    for (const [name, line] of this.#waiting) {
      if (target !== undefined && name !== target) continue;
      if (which === undefined) {
        drained.push(...line.splice(0));
        continue;
      }
      const kept = line.filter((job) => !which(job));
      drained.push(...line.filter(which));
      line.splice(0, line.length, ...kept);
    }
    this.#waitingTotal -= drained.length;
    for (const job of drained) this.settled(job);
    return drained;
  }

  held(target: string): number {
    return this.#held.get(target) ?? 0;
  }

  /** Jobs in a slot now, doing their connector work. */
  get running(): number {
    return this.#runningTotal;
  }

  get waiting(): number {
    return this.#waitingTotal;
  }

  /** Jobs held in any state: claimed, running or awaiting their record. */
  get total(): number {
    return this.#heldTotal;
  }
}
