import type { Change, Diagnostic, Identity, Plan } from '../core/types.js';
import type { LinkIndex } from '../planner/index.js';

/**
 * Plan diagnostic (info, one per target): people whose account there reads
 * `managerAccount` while their manager's account is only created by this
 * same plan. Their reference to it cannot be written yet (the target gives
 * the account its id when it creates it); the apply sets it in a follow-up
 * plan once the manager's account exists (follow-up.ts).
 */
export const REFERENCE_DEFERRED = 'reference.deferred';

/** Per target whose mappings read `managerAccount` (`targets`), the identities whose accounts there `changes` create. */
export function createdIn(changes: readonly Change[], targets: Pick<ReadonlyMap<string, unknown>, 'has' | 'size'>): Map<string, Set<string>> {
  const created = new Map<string, Set<string>>();
  if (targets.size === 0) return created;
  for (const change of changes) {
    if (change.action !== 'create' || !targets.has(change.target)) continue;
    let ids = created.get(change.target);
    if (ids === undefined) created.set(change.target, (ids = new Set()));
    ids.add(change.identity);
  }
  return created;
}

/**
 * The `reference.deferred` diagnostics of a plan's changes: for each target
 * whose mappings read `managerAccount` (`targets`), the planned identities
 * that have or get an account there and whose manager has none yet but gets
 * one from a create in `changes`, and the reports outside the plan waiting
 * there (`outside`, outside-reports.ts). Costs nothing when no such create is planned.
 */
export function deferredReferences(
  changes: readonly Change[],
  targets: Pick<ReadonlyMap<string, unknown>, 'has' | 'size'>,
  identities: readonly Identity[],
  managerOf: (identity: Identity) => Identity | undefined,
  links: Pick<LinkIndex, 'get'>,
  managerLinks: Pick<LinkIndex, 'get'> | undefined,
  outside: ReadonlyMap<string, readonly string[]> = new Map(),
): Diagnostic[] {
  const created = createdIn(changes, targets);
  if (created.size === 0) return [];
  const waiting = new Map<string, string[]>([...outside].map(([target, ids]) => [target, [...ids]]));
  for (const identity of identities) {
    const manager = managerOf(identity);
    // Their own manager (a CEO in many HR exports) too: once their account exists, the mapping names it.
    if (manager === undefined) continue;
    for (const [target, ids] of created) {
      if (!ids.has(manager.id) || (managerLinks ?? links).get(target, manager.id) !== undefined) continue;
      if (!ids.has(identity.id) && links.get(target, identity.id) === undefined) continue;
      let list = waiting.get(target);
      if (list === undefined) waiting.set(target, (list = []));
      list.push(identity.id);
    }
  }
  return [...waiting].map(([target, ids]) => ({
    severity: 'info' as const,
    code: REFERENCE_DEFERRED,
    target,
    identities: ids,
    message: `${ids.length === 1 ? `${ids[0]}'s manager reference waits` : `${ids.length} people's manager references wait`} for `
      + 'the manager\'s account this plan creates: apply sets them in a follow-up plan once it exists',
  }));
}

/** The identities per target a plan's `reference.deferred` diagnostics name. */
export function deferredIn(plan: Pick<Plan, 'diagnostics'>): Map<string, Set<string>> {
  const deferred = new Map<string, Set<string>>();
  for (const d of plan.diagnostics) {
    if (d.code !== REFERENCE_DEFERRED || d.target === undefined) continue;
    const ids = deferred.get(d.target) ?? new Set<string>();
    for (const id of d.identities ?? []) ids.add(id);
    deferred.set(d.target, ids);
  }
  return deferred;
}
