import type { Change } from './types.js';

/**
 * A change an earlier plan has waiting in the queue (pending, not started)
 * that a later plan no longer wants and withdraws instead of undoing it
 * once it ran: a delete of an account its person keeps, a disable of one
 * that stays enabled (planner/withdrawn.ts). The plan lists them
 * (Plan.withdrawn); the transaction that queues the plan cancels them
 * (store/withdraw.ts), or refuses the plan as stale when one started.
 */
export interface WithdrawnChange {
  /** The queued job's id (`${queuedBy}:${change.id}`). */
  readonly jobId: string;
  /** The earlier plan that queued it. */
  readonly queuedBy: string;
  /** The change as queued. */
  readonly change: Change;
  /** `queued.withdrawn`, then the desired account's reasons (why it is kept, or kept enabled). */
  readonly reasons: readonly string[];
}
