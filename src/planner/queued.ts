import type { Attributes, Change, ChangeAction, Diagnostic, JobStatus, Plan } from '../core/types.js';
import { entitlementKey, summaryOf } from './normalise.js';

/** A change an earlier plan has waiting in the queue (its job pending or running). */
export interface WaitingChange {
  readonly planId: string;
  readonly change: Change;
  /** Its job, and whether it started (a plan withdraws only a pending one: planner/withdrawn.ts); absent when not known. */
  readonly jobId?: string;
  readonly status?: JobStatus;
}

/** Diagnostic code of the changes a plan leaves out because an earlier plan has them queued. */
export const ALREADY_QUEUED = 'plan.already_queued';

/** The reason whose changes record leaving scope on the link (executor/apply-change.ts): part of their effect. */
const SCOPE_REMOVED = 'scope.removed';

interface Queued extends WaitingChange {
  readonly effect: string;
  readonly slots: readonly string[];
}

const accountKey = (target: string, identity: string): string => `${target}\u0000${identity}`;

/**
 * The changes earlier plans have waiting, per account, oldest first. A
 * planned change is already queued when the last waiting change that touches
 * the same thing (the account's existence, its attributes, enabled, one
 * entitlement) has the same effect: same action, account, attribute values,
 * entitlement. Not the same change id, and not the reasons (but for the
 * scope mark they write). A waiting change something later overrides (title
 * A, then B, and now A again) does not count: the plan enqueues it again.
 */
export class QueuedChanges {
  readonly #byAccount = new Map<string, Queued[]>();
  readonly #quarantined: ReadonlySet<string>;

  /** `waiting` oldest first (enqueue order); `quarantined`: targets held now, named in the plan's note. */
  constructor(waiting: readonly WaitingChange[], quarantined: ReadonlySet<string> = new Set()) {
    this.#quarantined = quarantined;
    for (const waits of waiting) {
      const { change } = waits;
      const key = accountKey(change.target, change.identity);
      const list = this.#byAccount.get(key) ?? [];
      list.push({ ...waits, effect: effectOf(change), slots: slotsOf(change) });
      this.#byAccount.set(key, list);
    }
  }

  get size(): number {
    return this.#byAccount.size;
  }

  isQuarantined(target: string): boolean {
    return this.#quarantined.has(target);
  }

  /** The changes waiting for one account, oldest first (empty: none). */
  waitingFor(target: string, identity: string): Change[] {
    return (this.#byAccount.get(accountKey(target, identity)) ?? []).map((queued) => queued.change);
  }

  /** The same, with their jobs and plans (what a plan may withdraw: planner/withdrawn.ts). */
  waitingJobsFor(target: string, identity: string): readonly WaitingChange[] {
    return this.#byAccount.get(accountKey(target, identity)) ?? [];
  }

  /** The plan that has this change's equal waiting, if any; `withdrawn`: job ids the plan withdraws (no longer waiting). */
  queuedBy(change: Change, withdrawn?: ReadonlySet<string>): string | undefined {
    const list = this.#byAccount.get(accountKey(change.target, change.identity));
    if (list === undefined) return undefined;
    const slots = slotsOf(change);
    for (let i = list.length - 1; i >= 0; i--) {
      const queued = list[i]!;
      if (queued.jobId !== undefined && withdrawn?.has(queued.jobId) === true) continue;
      if (!queued.slots.some((slot) => slots.includes(slot))) continue;
      return queued.effect === effectOf(change) ? queued.planId : undefined;
    }
    return undefined;
  }
}

/**
 * The changes without those earlier plans have waiting, and per target one
 * info diagnostic saying how many were left out and by which plans. The
 * changes come back as given (the same array) when none is left out.
 */
export function withoutQueued(
  changes: Change[], queued: QueuedChanges, withdrawn?: ReadonlySet<string>,
): { changes: Change[]; diagnostics: Diagnostic[] } {
  if (queued.size === 0) return { changes, diagnostics: [] };
  const left = new Map<string, { count: number; plans: Set<string> }>();
  const kept = changes.filter((change) => {
    const planId = queued.queuedBy(change, withdrawn);
    if (planId === undefined) return true;
    const entry = left.get(change.target) ?? { count: 0, plans: new Set<string>() };
    entry.count += 1;
    entry.plans.add(planId);
    left.set(change.target, entry);
    return false;
  });
  if (left.size === 0) return { changes, diagnostics: [] };
  const diagnostics = [...left].map(([target, { count, plans }]): Diagnostic => ({
    severity: 'info', code: ALREADY_QUEUED, target, message: alreadyQueuedMessage(target, count, [...plans], queued.isQuarantined(target)),
  }));
  return { changes: kept, diagnostics };
}

function alreadyQueuedMessage(target: string, count: number, plans: readonly string[], quarantined: boolean): string {
  const shown = shortList(plans);
  const changes = count === 1 ? '1 change' : `${count} changes`;
  const wait = quarantined ? ` (target ${target} quarantined: they run once it is released)` : '';
  return `${changes} already queued by ${plans.length === 1 ? 'plan' : 'plans'} ${shown}, not finished yet${wait}: left out of this plan`;
}

/**
 * The plan as applied when changes were left out at enqueue time (another
 * process queued their equal after this plan was made, store/enqueue.ts):
 * without them, its summary counted again, and per target one more
 * `plan.already_queued` note saying how many and by which plans. Its holds
 * stay as they were judged.
 */
export function withoutLeftOut(plan: Plan, left: readonly { readonly change: Change; readonly queuedBy: string }[]): Plan {
  if (left.length === 0) return plan;
  const gone = new Set(left.map((l) => l.change.id));
  const changes = plan.changes.filter((change) => !gone.has(change.id));
  const summary = summaryOf(changes);
  const perTarget = new Map<string, { count: number; plans: Set<string> }>();
  for (const { change, queuedBy } of left) {
    const entry = perTarget.get(change.target) ?? { count: 0, plans: new Set<string>() };
    entry.count += 1;
    entry.plans.add(queuedBy);
    perTarget.set(change.target, entry);
  }
  const notes = [...perTarget].map(([target, { count, plans }]): Diagnostic => ({
    severity: 'info', code: ALREADY_QUEUED, target,
    message: `${count === 1 ? '1 change' : `${count} changes`} queued by ${plans.size === 1 ? 'plan' : 'plans'} ${shortList([...plans])} after this plan was made (another process), not finished yet: left out when this plan was applied`,
  }));
  return { ...plan, changes, summary, diagnostics: [...plan.diagnostics, ...notes] };
}

const shortList = (plans: readonly string[]): string => (plans.length > 3 ? `${plans.slice(0, 3).join(', ')} and ${plans.length - 3} more` : plans.join(', '));

/** What applying the change does, as text: equal texts, equal effects. */
export function effectOf(change: Change): string {
  const state = change.action === 'revoke' || change.action === 'delete' ? change.before : change.after;
  const parts: unknown[] = [change.action, state?.accountId ?? null, change.reasons.includes(SCOPE_REMOVED)];
  if (change.action === 'create') parts.push(state?.enabled ?? null, attributeValues(state?.attributes));
  if (change.action === 'update') parts.push(attributeValues(state?.attributes));
  if (change.action === 'grant' || change.action === 'revoke') parts.push(entitlementKey(state?.entitlement ?? ''));
  return JSON.stringify(parts);
}

/** The attributes in name order, as stored (JSON: an undefined value is no value). */
function attributeValues(attributes: Attributes | undefined): unknown[] {
  if (attributes === undefined) return [];
  return Object.keys(attributes).filter((name) => attributes[name] !== undefined).sort().map((name) => [name, attributes[name]]);
}

/** What of the account a change decides: a later change of the same slot has the last word. */
function slotsOf(change: Change): string[] {
  switch (change.action) {
    case 'create':
      return ['account', 'attributes', 'enabled'];
    case 'delete':
      return ['account'];
    case 'update':
      return ['attributes'];
    case 'enable':
    case 'disable':
      return ['enabled'];
    case 'grant':
    case 'revoke':
      return [`entitlement\u0000${entitlementKey((change.after ?? change.before)?.entitlement ?? '')}`];
  }
}
