import { RosterError } from '../core/errors.js';
import type { Plan } from '../core/types.js';
import type { EnqueueJob } from '../store/types.js';

/** The queue id of a change's job: one job per change of a plan. */
export const jobIdOf = (planId: string, changeId: string): string => `${planId}:${changeId}`;

/** One job per change (id `${plan.id}:${change.id}`), in plan order, ordered per account (`${target}:${identity}`). */
export function planJobs(plan: Plan, targets: ReadonlySet<string> | ReadonlyMap<string, unknown>): EnqueueJob[] {
  return plan.changes.map((change, seq) => {
    if (!targets.has(change.target)) throw new RosterError('target.not_found', `plan ${plan.id}: change ${change.id} is for unknown target ${change.target}`);
    return { id: jobIdOf(plan.id, change.id), planId: plan.id, change, target: change.target, orderingKey: `${change.target}:${change.identity}`, seq };
  });
}
