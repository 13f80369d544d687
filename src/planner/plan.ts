import type { TargetConfig } from '../config/types.js';
import type { Change, ChangeAction, DesiredAccount, Diagnostic, Hold, LinkedAccount, Plan } from '../core/types.js';
import { diffAccount } from './diff.js';
import { safetyHolds } from './safety.js';

export interface PlanInput {
  readonly id: string;
  readonly now: Date;
  /** Store serial the inputs were read at. */
  readonly basis: number;
  readonly desired: readonly DesiredAccount[];
  /** Key `${target}\u0000${identityId}`, for the identities in `desired`. */
  readonly linked: ReadonlyMap<string, LinkedAccount>;
  readonly targets: readonly TargetConfig[];
  /** Linked accounts per target in the whole store (base of percentage thresholds). */
  readonly totals: ReadonlyMap<string, number>;
  /** Holds decided upstream (e.g. a truncated source). */
  readonly holds?: readonly Hold[];
  readonly diagnostics?: readonly Diagnostic[];
}

/**
 * The plan: desired vs linked, as plain data. Changes of one account are in
 * executor order (create, update, enable, grant, revoke, disable, delete);
 * accounts follow the order of `desired`. Risky plans are held.
 */
export function plan(input: PlanInput): Plan {
  const targets = new Map(input.targets.map((t) => [t.id, t]));
  const changes: Change[] = [];
  for (const desired of input.desired) {
    const link = input.linked.get(`${desired.target}\u0000${desired.identityId}`);
    diffAccount(desired, link, targets.get(desired.target), changes);
  }
  const summary: Partial<Record<ChangeAction, number>> = {};
  for (const c of changes) summary[c.action] = (summary[c.action] ?? 0) + 1;
  const holds = [...(input.holds ?? []), ...safetyHolds(changes, input.targets, input.totals)];
  return {
    id: input.id,
    createdAt: input.now.toISOString(),
    basis: input.basis,
    changes,
    summary,
    held: holds.length > 0,
    holds,
    diagnostics: input.diagnostics ?? [],
  };
}
