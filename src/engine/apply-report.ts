import type { Job } from '../core/types.js';
import type { JobOutcome } from '../executor/index.js';
import type { Store } from '../store/types.js';
import type { ReleasedRun } from './types.js';

type Counts = Map<string, { applied: number; failed: number }>;

/**
 * Counts the jobs this process's executor finished, per plan, while an apply
 * runs: its claims take any plan's runnable jobs, so an apply after a
 * quarantine is released runs the jobs earlier plans queued too, and says so.
 */
export class RunTally {
  readonly #open = new Set<Counts>();

  /** The executor's onResult: an attempt's outcome (a retry is not an end). */
  record(job: Job, outcome: JobOutcome): void {
    if (outcome === 'retry' || this.#open.size === 0) return;
    for (const counts of this.#open) {
      const entry = counts.get(job.planId) ?? { applied: 0, failed: 0 };
      entry[outcome] += 1;
      counts.set(job.planId, entry);
    }
  }

  /** What finished, per plan, while `run` ran. */
  async during(run: () => Promise<unknown>): Promise<Counts> {
    const counts: Counts = new Map();
    this.#open.add(counts);
    try {
      await run();
      return counts;
    } finally {
      this.#open.delete(counts);
    }
  }
}

/** The plans other than `own` whose jobs ran, with what ran and what of each still waits, in plan id order. */
export async function releasedRuns(store: Store, own: string, counts: Counts): Promise<ReleasedRun[]> {
  const runs: ReleasedRun[] = [];
  for (const [planId, { applied, failed }] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (planId === own) continue;
    const stats = await store.queue.stats({ planId });
    runs.push({ planId, applied, failed, pending: stats.pending + stats.running });
  }
  return runs;
}
