import type { Logger } from '../connectors/types.js';
import type { QueueStore } from '../store/types.js';
import { redactMessage } from './backoff.js';

/**
 * How often a worker renews the leases it keeps: every fifth of a lease, and
 * at least every 10 s whatever the lease, so that a renewal is also a
 * heartbeat other workers can read (gone-workers.ts).
 */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(1, Math.min(Math.floor(leaseMs / 5), 10_000));
}

/**
 * Keeps the leases of the jobs this worker has started until their outcome is
 * recorded: every fifth of a lease (renewEveryMs), one statement extends all of them
 * (QueueStore.renew). A change that takes longer than a lease (a slow target,
 * a connector retrying inside) is then not taken over and run again by
 * another worker, which would itself lose it the same way, for ever. Jobs
 * waiting for a slot are not kept: one whose lease runs low is given back
 * (Executor#startReady). A dead worker renews nothing, so its leases run out.
 */
export class LeaseKeeper {
  readonly #queue: QueueStore;
  readonly #workerId: string;
  readonly #leaseMs: number;
  readonly #now: () => Date;
  readonly #log: Logger;
  /** Job id -> attempts of it started here and not let go (a retry can start while its last attempt finishes). */
  readonly #held = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #renewing = false;

  constructor(queue: QueueStore, workerId: string, leaseMs: number, now: () => Date, log: Logger) {
    this.#queue = queue;
    this.#workerId = workerId;
    this.#leaseMs = leaseMs;
    this.#now = now;
    this.#log = log;
  }

  /** The job has started: keep its lease until `letGo`. */
  hold(jobId: string): void {
    this.#held.set(jobId, (this.#held.get(jobId) ?? 0) + 1);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.#renew(), renewEveryMs(this.#leaseMs));
    this.#timer.unref();
  }

  /** The job's outcome is recorded (or left to its lease). */
  letGo(jobId: string): void {
    const count = (this.#held.get(jobId) ?? 0) - 1;
    if (count > 0) this.#held.set(jobId, count);
    else this.#held.delete(jobId);
    if (this.#held.size > 0 || this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #renew(): Promise<void> {
    if (this.#renewing || this.#held.size === 0) return;
    this.#renewing = true;
    try {
      await this.#queue.renew([...this.#held.keys()], this.#workerId, new Date(this.#now().getTime() + this.#leaseMs));
    } catch (error) {
      this.#log.warn('could not renew the leases of running changes; another worker may take them over', { jobs: this.#held.size, error: redactMessage(String(error)) });
    } finally {
      this.#renewing = false;
    }
  }
}
