import type { Logger } from '../connectors/types.js';
import type { QueueStore } from '../store/types.js';
import { redactMessage } from './backoff.js';
import { renewEveryMs } from './leases.js';
import { isGoneHere } from './worker-id.js';

/** Longest time between two looks for gone workers while claiming. */
const LOOK_EVERY_MS = 5_000;

/**
 * How long a worker must have renewed nothing before its process being gone
 * counts: two renewals missed, and at least 20 s. A live worker renews at
 * least every 10 s (leases.ts renewEveryMs), so one that only looks gone (a
 * clone of this VM sharing its host name, boot id and pid namespace, where
 * the pid is free here) is never taken over; and a request the dead process
 * had already sent has had that long to land at the target before its change
 * runs again.
 */
export function silentForMs(leaseMs: number): number {
  return Math.max(2 * renewEveryMs(leaseMs), 20_000);
}

/**
 * The workers of this host whose process is provably gone (worker-id.ts
 * isGoneHere), silent for `silentForMs` and still holding live leases on the
 * targets being claimed: a `roster apply` killed with -9 leaves its claimed
 * jobs leased for a whole lease (executor.leaseSeconds), and a run started
 * right after would wait for them. Their jobs are claimed as soon as the
 * worker has been silent long enough (QueueStore.claim `deadWorkers`): the
 * same takeover as a lease that ran out, so a change the dead worker may
 * have half applied runs again through the connector's idempotent writes,
 * attempt counted. A worker's last renewal is read from its latest lease end
 * (renewal time + lease). Looked for at the first claim and then at most
 * every few seconds; only workers with leases on the claim's targets are
 * named, so the claim's query keeps its index range once they are taken over.
 */
export class GoneWorkers {
  readonly #queue: QueueStore;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #leaseMs: number;
  readonly #isGone: (workerId: string) => boolean;
  /** Workers whose process was found gone (a gone process stays gone). */
  readonly #gone = new Set<string>();
  readonly #told = new Set<string>();
  #lookedAt = Number.NEGATIVE_INFINITY;
  #known: readonly { readonly workerId: string; readonly target: string }[] = [];
  /** Gone workers' leases not yet silent long enough: target and when they can be taken over (epoch ms). */
  #soon: readonly { readonly target: string; readonly at: number }[] = [];

  constructor(queue: QueueStore, log: Logger, now: () => Date, leaseMs: number, isGone: (workerId: string) => boolean = (id) => isGoneHere(id)) {
    this.#queue = queue;
    this.#log = log;
    this.#now = now;
    this.#leaseMs = leaseMs;
    this.#isGone = isGone;
  }

  /** The gone workers to take jobs over from on these targets (never rejects: a failed look finds none). */
  async find(targets: readonly string[]): Promise<readonly string[]> {
    const now = this.#now();
    if (now.getTime() - this.#lookedAt >= LOOK_EVERY_MS) {
      this.#lookedAt = now.getTime();
      this.#known = await this.#look(now);
    }
    const wanted = new Set(targets);
    return [...new Set(this.#known.filter((held) => wanted.has(held.target)).map((held) => held.workerId))];
  }

  /**
   * The sooner of a run's idle wait (idle.ts idleWait: undefined when nothing
   * is due soon) and the time until a gone worker's leases on these targets
   * can be taken over: a run started right after a kill waits for that
   * instead of ending with the killed run's changes still leased.
   */
  sooner(wait: number | undefined, targets: ReadonlySet<string>, now: Date): number | undefined {
    let soonest = wait;
    for (const { target, at } of this.#soon) {
      if (!targets.has(target)) continue;
      const until = Math.min(Math.max(at - now.getTime(), LOOK_EVERY_MS / 50), 1000);
      soonest = soonest === undefined ? until : Math.min(soonest, until);
    }
    return soonest;
  }

  async #look(now: Date): Promise<{ workerId: string; target: string }[]> {
    this.#soon = [];
    try {
      const holders = await this.#queue.leaseHolders(now);
      const lastBeat = new Map<string, number>();
      for (const held of holders) {
        const beat = Date.parse(held.leaseUntil) - this.#leaseMs;
        lastBeat.set(held.workerId, Math.max(lastBeat.get(held.workerId) ?? Number.NEGATIVE_INFINITY, beat));
      }
      const silentSince = now.getTime() - silentForMs(this.#leaseMs);
      const dead = new Set<string>();
      for (const [workerId, beat] of lastBeat) {
        if (!this.#gone.has(workerId) && !this.#isGone(workerId)) continue;
        this.#gone.add(workerId);
        if (beat > silentSince) { // gone, but renewed too recently: its last request may still be landing
          const at = beat + silentForMs(this.#leaseMs);
          this.#soon = [...this.#soon, ...holders.filter((held) => held.workerId === workerId).map(({ target }) => ({ target, at }))];
          continue;
        }
        dead.add(workerId);
        if (this.#told.has(workerId)) continue;
        this.#told.add(workerId);
        this.#log.warn('a worker of this host is gone (its process no longer exists): its leased changes are taken over now', { worker: workerId });
      }
      return holders.filter((held) => dead.has(held.workerId)).map(({ workerId, target }) => ({ workerId, target }));
    } catch (error) {
      this.#log.warn('could not look for gone workers; their leases will run out', { error: redactMessage(String(error)) });
      return [];
    }
  }
}
