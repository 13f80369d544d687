import type { Logger } from '../connectors/types.js';
import { isRosterError } from '../core/errors.js';
import type { AuditEntryInput, Change, Plan } from '../core/types.js';
import { summaryOf } from '../planner/index.js';
import { deferredIn } from './deferred-references.js';
import type { ApplyResult, FollowUpResult } from './types.js';

/** What a follow-up needs from the engine. */
export interface FollowUpParts {
  /** A plan for these identities only, computed now. */
  compute(identities: readonly string[]): Promise<Plan>;
  save(plan: Plan): Promise<void>;
  audit(entries: readonly AuditEntryInput[]): Promise<void>;
  /** Apply it as any plan is applied (queued, audited, waited for). */
  apply(plan: Plan): Promise<ApplyResult>;
  /** Per target, the attributes whose mapping reads `managerAccount` (Policy.managerAccountAttributes). */
  readonly references: ReadonlyMap<string, ReadonlySet<string>>;
  /** The plan it follows was applied with --force: so is the follow-up, when a hold it shares (a source's) holds it. */
  readonly force?: boolean;
  readonly log: Logger;
}

/**
 * Holds a follow-up cannot trip: the safety limits count deletes, disables,
 * revokes and placement moves, and a follow-up holds only updates of people
 * the plan it follows planned (a misplaced account's move was that plan's,
 * judged there). The computed plan may have met one over changes the
 * follow-up leaves out (a report who left meanwhile).
 */
const LIMITS = new Set(['safety.max_deletes', 'safety.max_disables', 'safety.max_revokes', 'safety.max_moves']);

/**
 * The part of an update that writes the attributes `names` (secret values
 * included, sealed); undefined when it writes none of them. Another attribute
 * that changed meanwhile is left to the next plan, and so is a rename it
 * would have carried (the account keeps the id it has).
 */
export function onlyAttributes(change: Change, names: ReadonlySet<string> | undefined): Change | undefined {
  const written = Object.keys(change.after?.attributes ?? {});
  const kept = written.filter((name) => names?.has(name) === true);
  if (kept.length === 0) return undefined;
  if (kept.length === written.length) return change;
  const pick = (values: Readonly<Record<string, unknown>> | undefined) => Object.fromEntries(Object.entries(values ?? {}).filter(([name]) => names?.has(name) === true));
  const sealed = pick(change.after?.sealed) as Record<string, string>;
  const accountId = change.before?.accountId ?? change.after?.accountId;
  return {
    ...change,
    before: { ...change.before, attributes: pick(change.before?.attributes) },
    after: { ...(accountId === undefined ? {} : { accountId }), attributes: pick(change.after?.attributes), ...(Object.keys(sealed).length > 0 ? { sealed } : {}) },
  };
}

/**
 * After a plan that created managers' accounts together with their reports'
 * (`reference.deferred`, deferred-references.ts), the reports' references
 * to them: a plan for those people computed now, of which only the updates
 * of the accounts the diagnostics name are kept, and of those only the
 * attributes whose mapping reads `managerAccount` (the plan that was read
 * announced exactly these; anything else that changed meanwhile waits for
 * the next plan). Saved, audited (`plan.created` with `followUpOf`) and
 * applied like any plan; one held (a source's hold, the only kind it can
 * meet) is saved and not applied, unless the plan it follows was forced. Undefined
 * when the plan deferred nothing or nothing is left to set (a manager's
 * create failed or still waits: the next plan sets the reference).
 */
export async function followUp(plan: Plan, actor: string, parts: FollowUpParts): Promise<FollowUpResult | undefined> {
  const deferred = deferredIn(plan);
  if (deferred.size === 0) return undefined;
  const identities = new Set<string>();
  for (const ids of deferred.values()) for (const id of ids) identities.add(id);
  const computed = await parts.compute([...identities].sort());
  const changes = computed.changes.flatMap((c) => {
    const part = c.action === 'update' && deferred.get(c.target)?.has(c.identity) === true ? onlyAttributes(c, parts.references.get(c.target)) : undefined;
    return part === undefined ? [] : [part];
  });
  if (changes.length === 0) return undefined;
  const holds = computed.holds.filter((hold) => !LIMITS.has(hold.code));
  const next: Plan = { ...computed, changes, summary: summaryOf(changes), held: holds.length > 0, holds, diagnostics: [] };
  await parts.save(next);
  await parts.audit([{
    kind: 'plan.created', actor,
    data: { planId: next.id, basis: next.basis, summary: next.summary, held: next.held, followUpOf: plan.id, ...(next.held ? { holds: next.holds } : {}) },
  }]);
  if (next.held && parts.force !== true) return { planId: next.id, changes: changes.length, held: true, applied: 0, failed: 0, pending: changes.length, errors: [] };
  const result = await parts.apply(next);
  // What another process queued first is applied by its plan, and left out of this one as saved (executor/enqueue-plan.ts).
  const kept = changes.length - (result.leftOut?.changes ?? 0);
  return { planId: next.id, changes: kept, applied: result.applied, failed: result.failed, pending: result.pending, errors: result.errors };
}

/**
 * followUp, never rejecting: the plan it follows has run, and its result
 * must reach the caller whatever befalls the follow-up (a store error while
 * computing or saving it). Such a failure is logged and said in the result
 * (`error`); the next plan sets the references.
 */
export async function followUpReported(plan: Plan, actor: string, parts: FollowUpParts): Promise<FollowUpResult | undefined> {
  try {
    return await followUp(plan, actor, parts);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    parts.log.error('the follow-up plan for deferred manager references failed; the next plan sets them', { planId: plan.id, error: message });
    // The result reaches API clients (an HR push's answer): like a 500's body, it names no internal detail, which the log has.
    const said = isRosterError(error) && error.code !== 'internal' ? message : 'internal error (the server log says more)';
    return { planId: '', changes: 0, applied: 0, failed: 0, pending: 0, errors: [], error: said };
  }
}
