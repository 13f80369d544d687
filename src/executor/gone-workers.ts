import type { Logger } from '../connectors/types.js';
import type { QueueStore } from '../store/types.js';
import { redactMessage } from './backoff.js';
import { isGoneHere } from './worker-id.js';

/** Longest time between two looks for gone workers while claiming. */
const LOOK_EVERY_MS = 5_000;

/**
 * The workers of this host whose process is provably gone (worker-id.ts
 * isGoneHere) and still hold live leases: a `roster apply` killed with -9
 * leaves its claimed jobs leased for a whole lease, and a run started right
 * after would wait for them. Their jobs are claimed at once instead
 * (QueueStore.claim `deadWorkers`): the same takeover as a lease that ran
 * out, so a change the dead worker may have half applied runs again through
 * the connector's idempotent writes, attempt counted. Looked for at the
 * first claim and then at most every few seconds (one small read of the
 * running jobs' index); a worker found gone stays gone.
 */
export class GoneWorkers {
  readonly #queue: QueueStore;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #isGone: (workerId: string) => boolean;
  readonly #gone = new Set<string>();
  #lookedAt = Number.NEGATIVE_INFINITY;
  #known: readonly string[] = [];

  constructor(queue: QueueStore, log: Logger, now: () => Date, isGone: (workerId: string) => boolean = (id) => isGoneHere(id)) {
    this.#queue = queue;
    this.#log = log;
    this.#now = now;
    this.#isGone = isGone;
  }

  /** The gone workers to take jobs over from (never rejects: a failed look finds none). */
  async find(): Promise<readonly string[]> {
    const now = this.#now();
    if (now.getTime() - this.#lookedAt < LOOK_EVERY_MS) return this.#known;
    this.#lookedAt = now.getTime();
    try {
      const holders = await this.#queue.leaseHolders(now);
      const gone = holders.filter((id) => this.#gone.has(id) || this.#isGone(id));
      for (const id of gone) {
        if (this.#gone.has(id)) continue;
        this.#gone.add(id);
        this.#log.warn('a worker of this host is gone (its process no longer exists): its leased changes are taken over now', { worker: id });
      }
      this.#known = gone;
    } catch (error) {
      this.#log.warn('could not look for gone workers; their leases will run out', { error: redactMessage(String(error)) });
      this.#known = [];
    }
    return this.#known;
  }
}
