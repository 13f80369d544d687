import type { TargetConfig } from '../config/types.js';
import type { Hold, Plan } from '../core/types.js';
import { safetyCounts } from '../planner/safety.js';
import { countsBeyond, countsInWindow, recordCounts, windowHolds, withdrawCounts, type WindowLog } from '../planner/safety-window.js';
import type { StateStore } from '../store/types.js';

/** The state-store key of every target's window counts (one key: a plan touching several targets is judged and recorded at once). */
export const SAFETY_WINDOW_KEY = 'safety:window';

/**
 * The safety limits over a sliding window across plans (planner/safety-window.ts),
 * counted in the store's state: one atomic read-modify-write (StateStore.update,
 * a write transaction on SQLite and PostgreSQL) both judges a plan against what
 * every process applied in the window and, when it passes, records its counts,
 * so two workers cannot both slip under the limit. A plan with nothing the
 * windows count (no disable, delete or revoke in a target with a window) never
 * touches the store.
 */
export class SafetyWindow {
  readonly #state: StateStore;
  readonly #targets: readonly TargetConfig[];

  constructor(state: StateStore, targets: readonly TargetConfig[]) {
    this.#state = state;
    this.#targets = targets;
  }

  /**
   * The plan's window holds; when there are none its counts are recorded
   * (reserved: they count from now on, for every process), else nothing is.
   */
  async judge(plan: Plan, totals: ReadonlyMap<string, number>, now: Date): Promise<Hold[]> {
    const counted = safetyCounts(plan.changes);
    if (!countsInWindow(counted, this.#targets)) return [];
    let holds: Hold[] = [];
    await this.#state.update<WindowLog>(SAFETY_WINDOW_KEY, (log) => {
      holds = windowHolds(counted, log, this.#targets, totals, now.getTime());
      return holds.length > 0 ? log : recordCounts(log, counted, this.#targets, now.getTime());
    });
    return holds;
  }

  /** Count a plan that is applied without being judged (a full plan, a forced one). */
  async record(plan: Plan, now: Date): Promise<void> {
    const counted = safetyCounts(plan.changes);
    if (!countsInWindow(counted, this.#targets)) return;
    await this.#state.update<WindowLog>(SAFETY_WINDOW_KEY, (log) => recordCounts(log, counted, this.#targets, now.getTime()));
  }

  /**
   * Take back what `recorded` was counted for (by judge or record, at `at`)
   * beyond what was queued of it (`queued`: the plan as applied, without the
   * changes another plan had queued first, which count there). Taken back
   * after the queuing, so a crash in between counts too much, never too little.
   */
  async withdraw(recorded: Plan, queued: Plan, at: Date): Promise<void> {
    const beyond = countsBeyond(safetyCounts(recorded.changes), safetyCounts(queued.changes));
    if (!countsInWindow(beyond, this.#targets)) return;
    await this.#state.update<WindowLog>(SAFETY_WINDOW_KEY, (log) => withdrawCounts(log, beyond, this.#targets, at.getTime()));
  }
}

/** The plan with the window's holds added (held). */
export function withWindowHolds(plan: Plan, holds: readonly Hold[]): Plan {
  return holds.length === 0 ? plan : { ...plan, held: true, holds: [...plan.holds, ...holds] };
}
