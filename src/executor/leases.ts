import type { Logger } from '../connectors/types.js';
import type { QueueStore } from '../store/types.js';
import { redactMessage } from './backoff.js';

/**
 * Keeps the leases of the jobs this worker has started until their outcome is
 * recorded: every fifth of a lease, one statement extends all of them
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
    this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(this.#leaseMs / 5)));
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
