import type { Change, Diagnostic, Identity, Plan } from '../core/types.js';
import type { LinkIndex } from '../planner/index.js';
import type { ManagerAccountReads } from '../policy/index.js';

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
 * Per target whose mappings read `managerAccount` (`reads`), the identities
 * whose accounts there `changes` alter as `managerAccount` shows them to
 * their reports, creates aside (createdIn): a delete (no account any more),
 * a disable or enable where the mappings read `enabled`, an update of an
 * attribute they read (a uid or department a report's `manager` DN is spelled
 * from: the manager is renamed or moved). A report planned now still sees
 * the account as it was: the follow-up plan writes the reference again once
 * the change has run.
 */
export function changedIn(changes: readonly Change[], reads: ReadonlyMap<string, ManagerAccountReads>): Map<string, Set<string>> {
  const changed = new Map<string, Set<string>>();
  if (reads.size === 0) return changed;
  for (const change of changes) {
    const read = reads.get(change.target);
    if (read === undefined || !alters(change, read)) continue;
    let ids = changed.get(change.target);
    if (ids === undefined) changed.set(change.target, (ids = new Set()));
    ids.add(change.identity);
  }
  return changed;
}

function alters(change: Change, read: ManagerAccountReads): boolean {
  if (change.action === 'delete') return true;
  if ((change.action === 'disable' || change.action === 'enable') && read.enabled) return true;
  if (change.action !== 'update' && change.action !== 'disable' && change.action !== 'enable') return false;
  if (read.id && change.after?.accountId !== undefined && change.after.accountId !== change.before?.accountId) return true;
  const after = change.after?.attributes ?? {};
  const names = read.attributes === 'all' ? Object.keys(after) : [...read.attributes].filter((name) => Object.hasOwn(after, name));
  return names.some((name) => JSON.stringify(after[name]) !== JSON.stringify(change.before?.attributes?.[name]));
}

/** The reports `deferredReferences` also names: those of managers whose account the plan changes (changedIn). */
export interface Followers {
  readonly reads: ReadonlyMap<string, ManagerAccountReads>;
  /** The reports outside a subset plan (outside-reports.ts, outsideFollowers). */
  readonly outside?: ReadonlyMap<string, readonly string[]>;
}

/**
 * The `reference.deferred` diagnostics of a plan's changes: for each target
 * whose mappings read `managerAccount` (`targets`), the planned identities
 * that have or get an account there and whose manager has none yet but gets
 * one from a create in `changes`, and the reports outside the plan waiting
 * there (`outside`, outside-reports.ts). With `followers`, a second
 * note per target names the people whose manager's account the plan
 * changes (changedIn) and who have or get an account there, within the plan
 * and outside it. Costs nothing when no such create or change is planned.
 */
export function deferredReferences(
  changes: readonly Change[],
  targets: Pick<ReadonlyMap<string, unknown>, 'has' | 'size'>,
  identities: readonly Identity[],
  managerOf: (identity: Identity) => Identity | undefined,
  links: Pick<LinkIndex, 'get'>,
  managerLinks: Pick<LinkIndex, 'get'> | undefined,
  outside: ReadonlyMap<string, readonly string[]> = new Map(),
  followers?: Followers,
): Diagnostic[] {
  const created = createdIn(changes, targets);
  const following = followers === undefined ? [] : followersOf(changes, created, identities, managerOf, links, followers);
  if (created.size === 0) return following;
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
  return [...[...waiting].map(([target, ids]): Diagnostic => ({
    severity: 'info',
    code: REFERENCE_DEFERRED,
    target,
    identities: ids,
    message: `${ids.length === 1 ? `${ids[0]}'s manager reference waits` : `${ids.length} people's manager references wait`} for `
      + 'the manager\'s account this plan creates: apply sets them in a follow-up plan once it exists',
  })), ...following];
}

function followersOf(
  changes: readonly Change[],
  created: ReadonlyMap<string, ReadonlySet<string>>,
  identities: readonly Identity[],
  managerOf: (identity: Identity) => Identity | undefined,
  links: Pick<LinkIndex, 'get'>,
  followers: Followers,
): Diagnostic[] {
  const changed = changedIn(changes, followers.reads);
  const following = new Map<string, Set<string>>([...followers.outside ?? []].map(([target, ids]) => [target, new Set(ids)]));
  if (changed.size > 0) {
    for (const identity of identities) {
      const manager = managerOf(identity);
      if (manager === undefined) continue;
      for (const [target, ids] of changed) {
        if (!ids.has(manager.id)) continue;
        if (created.get(target)?.has(identity.id) !== true && links.get(target, identity.id) === undefined) continue;
        let set = following.get(target);
        if (set === undefined) following.set(target, (set = new Set()));
        set.add(identity.id);
      }
    }
  }
  return [...following].filter(([, ids]) => ids.size > 0).map(([target, set]) => {
    const ids = [...set].sort();
    return {
      severity: 'info' as const,
      code: REFERENCE_DEFERRED,
      target,
      identities: ids,
      message: `${ids.length === 1 ? `${ids[0]}'s manager reference follows` : `${ids.length} people's manager references follow`} `
        + 'the manager\'s account this plan changes (moved, renamed, disabled, enabled or deleted): apply writes them again in a follow-up plan once it has run',
    };
  });
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
