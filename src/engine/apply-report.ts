import type { Job } from '../core/types.js';
import type { JobOutcome } from '../executor/index.js';
import type { Store } from '../store/types.js';
import { quarantineKey, type QuarantineRecord } from '../executor/quarantine.js';
import type { ApplyResult, ReleasedRun } from './types.js';

/** Per plan: jobs applied, failed (those not attempted included), and of those failed the ones not attempted (when any). */
type Counts = Map<string, { applied: number; failed: number; notAttempted?: number }>;

/** One open run: its counts, and the plans applied by runs open alongside it (their own reports count those). */
interface OpenRun {
  readonly counts: Counts;
  readonly own: string | undefined;
  readonly alongside: Set<string>;
}

/**
 * Counts the jobs this process's executor finished, per plan, while an apply
 * runs: its claims take any plan's runnable jobs, so an apply after a
 * quarantine is released runs the jobs earlier plans queued too, and says so.
 * Two applies at once in this process (serve: the scheduler's, an API call,
 * a push) run each other's jobs too: a plan another open run applies (`own`)
 * is that run's to report, never counted as released by the others.
 */
export class RunTally {
  readonly #open = new Set<OpenRun>();

  /**
   * The executor's onResult: an attempt's outcome (a retry is not an end);
   * `notAttempted`: failed with the create it needed, never run (executor/dependents.ts).
   */
  record(job: Job, outcome: JobOutcome, notAttempted = false): void {
    if (outcome === 'retry' || this.#open.size === 0) return;
    for (const { counts } of this.#open) {
      const entry = counts.get(job.planId) ?? { applied: 0, failed: 0 };
      entry[outcome] += 1;
      if (notAttempted) entry.notAttempted = (entry.notAttempted ?? 0) + 1;
      counts.set(job.planId, entry);
    }
  }

  /** What finished, per plan, while `run` ran; `own`: the plan this run applies (another run then never reports it as released). */
  async during(run: () => Promise<unknown>, own?: string): Promise<Counts> {
    const mine: OpenRun = { counts: new Map(), own, alongside: new Set() };
    for (const other of this.#open) {
      if (other.own !== undefined) mine.alongside.add(other.own);
      if (own !== undefined) other.alongside.add(own);
    }
    this.#open.add(mine);
    try {
      await run();
      for (const planId of mine.alongside) if (planId !== own) mine.counts.delete(planId);
      return mine.counts;
    } finally {
      this.#open.delete(mine);
    }
  }
}

/** The plans other than `own` whose jobs ran, with what ran and what of each still waits, in plan id order. */
export async function releasedRuns(store: Store, own: string, counts: Counts): Promise<ReleasedRun[]> {
  const runs: ReleasedRun[] = [];
  for (const [planId, { applied, failed, notAttempted }] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (planId === own) continue;
    const stats = await store.queue.stats({ planId });
    runs.push({ planId, applied, failed, pending: stats.pending + stats.running, ...(notAttempted === undefined ? {} : { notAttempted }) });
  }
  return runs;
}

/**
 * The plan's targets in quarantine with changes of the plan still waiting for
 * them: said by the apply (and `roster apply` exits 1), not left to a count
 * of pending changes that `roster status` alone explains.
 */
export async function quarantinedTargets(store: Store, planId: string): Promise<Pick<ApplyResult, 'quarantined'>> {
  const waiting = await store.queue.listStatesByPlan(planId, ['pending', 'running']);
  if (waiting.length === 0) return {};
  const perTarget = new Map<string, number>();
  for (const job of waiting) perTarget.set(job.target, (perTarget.get(job.target) ?? 0) + 1);
  const quarantined: NonNullable<ApplyResult['quarantined']>[number][] = [];
  for (const [target, pending] of [...perTarget].sort(([a], [b]) => a.localeCompare(b))) {
    const record = await store.state.get<QuarantineRecord | null>(quarantineKey(target));
    if (record !== undefined && record !== null) quarantined.push({ target, since: record.since, reason: record.reason, pending, ...(record.by === undefined ? {} : { by: record.by }) });
  }
  return quarantined.length === 0 ? {} : { quarantined };
}
