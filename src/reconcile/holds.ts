import type { Hold, Plan } from '../core/types.js';
import { NO_IDENTITIES } from './no-identities.js';
import { SOURCE_PROBLEMS } from './source-problems.js';

/**
 * Holds of an orphan plan that `--force` (meant for the percentage safety
 * limits) does not lift: after a short read (`safety.vanished`) the orphans
 * cannot be trusted, only `--remove-vanished` lifts it; with a match rule no
 * account carries (`reconcile.rule_unread`) orphans may be people the rule
 * should have found, only fixing the rule lifts it; a pass over a store with
 * no identity (`reconcile.no_identities`, reconcile/no-identities.ts) plans
 * no orphan action at all, and reading the sources first is what lifts it;
 * while a source's last read skipped rows of people the store does not have
 * (`reconcile.source_problems`, reconcile/source-problems.ts) orphans may be
 * theirs, only fixing the rows and reading the source again lifts it.
 */
const UNFORCEABLE: ReadonlySet<string> = new Set(['safety.vanished', 'reconcile.rule_unread', NO_IDENTITIES, SOURCE_PROBLEMS]);

/** The holds of a plan that `--force` leaves in place. */
export function unforceableHolds(plan: Plan): readonly Hold[] {
  return plan.holds.filter((h) => UNFORCEABLE.has(h.code));
}

/** Whether an orphan plan may be applied: not held, or held only by limits `force` lifts. */
export function mayApplyOrphanPlan(plan: Plan, force: boolean): boolean {
  return !plan.held || (force && unforceableHolds(plan).length === 0);
}
