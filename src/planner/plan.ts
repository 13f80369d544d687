import type { TargetConfig } from '../config/types.js';
import type { Change, ChangeAction, DesiredAccount, Diagnostic, Hold, LinkedAccount, Plan } from '../core/types.js';
import type { WithdrawnChange } from '../core/withdrawn.js';
import { summaryOf } from './normalise.js';
import { diffAccount } from './diff.js';
import { supersededChanges } from './superseded.js';
import { withoutQueued, type QueuedChanges } from './queued.js';
import { notCountedDiagnostics, safetyCounts, safetyHolds } from './safety.js';
import { withdrawnFor } from './withdrawn.js';

export interface PlanInput {
  readonly id: string;
  readonly now: Date;
  /** Store serial the inputs were read at. */
  readonly basis: number;
  readonly desired: readonly DesiredAccount[];
  /**
   * The links of the identities in `desired`: a map keyed
   * `${target}\u0000${identityId}`, or a lookup function (no keys to build).
   */
  readonly linked: ReadonlyMap<string, LinkedAccount> | LinkLookup;
  readonly targets: readonly TargetConfig[];
  /** Linked accounts per target in the whole store (base of percentage thresholds). */
  readonly totals: ReadonlyMap<string, number>;
  /** Holds decided upstream (e.g. a truncated source). */
  readonly holds?: readonly Hold[];
  readonly diagnostics?: readonly Diagnostic[];
  /**
   * Changes earlier plans have waiting in the queue (a quarantined target's,
   * a big plan still being applied): the plan leaves out their equals and
   * says so in a diagnostic (planner/queued.ts), so they are not applied twice.
   */
  readonly queued?: QueuedChanges;
}

/** The link of one identity in one target, if any. */
export type LinkLookup = (target: string, identityId: string) => LinkedAccount | undefined;

/**
 * The plan: desired vs linked, as plain data. Changes of one account are in
 * executor order (create, update, enable, grant, revoke, disable, delete);
 * accounts follow the order of `desired`. Risky plans are held.
 */
export function plan(input: PlanInput): Plan {
  const targets = new Map(input.targets.map((t) => [t.id, t]));
  const planned: Change[] = [];
  const withdrawn: WithdrawnChange[] = [];
  const { linked } = input;
  const linkOf: LinkLookup = typeof linked === 'function' ? linked : (target, identityId) => linked.get(`${target}\u0000${identityId}`);
  for (const desired of input.desired) {
    const link = linkOf(desired.target, desired.identityId);
    const jobs = input.queued === undefined || input.queued.size === 0 ? [] : input.queued.waitingJobsFor(desired.target, desired.identityId);
    // A pending delete (or disable) of what this plan keeps is withdrawn, not run and then undone (planner/withdrawn.ts).
    const { withdrawn: gone, staying: waiting } = jobs.length === 0 ? { withdrawn: [], staying: [] } : withdrawnFor(desired, link, jobs);
    withdrawn.push(...gone);
    if (waiting.length === 0) {
      diffAccount(desired, link, targets.get(desired.target), planned);
      continue;
    }
    // What earlier plans still have waiting for this account runs first: what it does that this plan no longer wants is undone too.
    const own: Change[] = [];
    diffAccount(desired, link, targets.get(desired.target), own);
    planned.push(...supersededChanges(desired, link, waiting, targets.get(desired.target), own));
  }
  const left = input.queued === undefined ? undefined : withoutQueued(planned, input.queued, new Set(withdrawn.map((w) => w.jobId)));
  const changes = left?.changes ?? planned;
  const summary = summaryOf(changes);
  const counted = safetyCounts(changes);
  const holds = [...(input.holds ?? []), ...safetyHolds(changes, input.targets, input.totals, counted)];
  // Compensating changes to accounts queued creates make are not counted: the plan says so (planner/safety.ts).
  const notCounted = notCountedDiagnostics(changes, counted);
  const diagnostics = [...(input.diagnostics ?? []), ...(left?.diagnostics ?? []), ...notCounted];
  return {
    id: input.id,
    createdAt: input.now.toISOString(),
    basis: input.basis,
    changes,
    summary,
    held: holds.length > 0,
    holds,
    diagnostics: diagnostics.length === (input.diagnostics?.length ?? 0) ? input.diagnostics ?? [] : diagnostics,
    ...(withdrawn.length === 0 ? {} : { withdrawn }),
  };
}
