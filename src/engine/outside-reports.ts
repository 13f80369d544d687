import type { Change, Diagnostic, Identity } from '../core/types.js';
import type { LinkIndex } from '../planner/index.js';
import type { ManagerAccountReads, Policy } from '../policy/index.js';
import type { Store } from '../store/types.js';
import { changedIn, createdIn, deferredReferences } from './deferred-references.js';
import { linksOf } from './subset-links.js';

/**
 * A subset plan (an HR push, an inbound SCIM write) plans only the people it
 * wrote. When it creates a manager's account in a target whose mappings read
 * `managerAccount`, the manager's reports written before (their own push came
 * first) have accounts there that were made without the reference: they wait
 * for the manager's account just as reports planned with the manager do, so
 * the plan's `reference.deferred` note names them too and the follow-up
 * plan sets the reference (follow-up.ts).
 *
 * Per target, the reports outside `planned` whose manager gets an account
 * there from a create in `changes` and who have an account there themselves.
 * A report names the manager by the source's manager field: the manager's id
 * or one of their keys (fields.previousKey). Costs nothing unless the plan
 * creates an account in such a target.
 */
export async function outsideReports(
  store: Pick<Store, 'identities' | 'accounts'>,
  changes: readonly Change[],
  targets: Pick<ReadonlyMap<string, unknown>, 'has' | 'size'>,
  planned: ReadonlySet<string>,
  sources: readonly Source[],
): Promise<Map<string, string[]>> {
  return reportsOutside(store, createdIn(changes, targets), planned, sources);
}

/**
 * The same for managers whose accounts `changes` alter as `managerAccount`
 * shows them (changedIn: moved or renamed, disabled, enabled, deleted): their
 * reports outside `planned` with an account in that target, whose reference
 * the follow-up plan writes again once the change has run. Costs nothing
 * unless the plan makes such a change.
 */
export async function outsideFollowers(
  store: Pick<Store, 'identities' | 'accounts'>,
  changes: readonly Change[],
  reads: ReadonlyMap<string, ManagerAccountReads>,
  planned: ReadonlySet<string>,
  sources: readonly Source[],
): Promise<Map<string, string[]>> {
  return reportsOutside(store, changedIn(changes, reads), planned, sources);
}

type Source = { readonly id: string; readonly fields: { readonly manager?: string | undefined } };

/** Per target, the reports outside `planned` of the managers in `managers` (per target) who have an account there. */
async function reportsOutside(
  store: Pick<Store, 'identities' | 'accounts'>,
  managers: ReadonlyMap<string, ReadonlySet<string>>,
  planned: ReadonlySet<string>,
  sources: readonly Source[],
): Promise<Map<string, string[]>> {
  const waiting = new Map<string, string[]>();
  if (managers.size === 0) return waiting;
  const fields = new Map<string, string>();
  for (const source of sources) if (source.fields.manager !== undefined) fields.set(source.id, source.fields.manager);
  if (fields.size === 0) return waiting;
  const created = managers;
  // Each name a report's manager field may hold → the manager it names.
  const managerNamed = new Map<string, string>();
  for (const ids of created.values()) for (const id of ids) managerNamed.set(id, id);
  for (const key of await store.identities.listKeys({ identityIds: [...managerNamed.keys()] })) {
    if (!managerNamed.has(key.key)) managerNamed.set(key.key, key.identityId);
  }
  const reports = (await store.identities.listReports({ managers: [...managerNamed.keys()], fields })).filter((r) => !planned.has(r.id));
  if (reports.length === 0) return waiting;
  const linked = new Set((await linksOf(store.accounts, reports.map((r) => r.id))).map((link) => `${link.target}\u0000${link.identityId}`));
  for (const report of reports) {
    const manager = managerNamed.get(report.manager);
    if (manager === undefined) continue;
    for (const [target, ids] of created) {
      if (!ids.has(manager) || !linked.has(`${target}\u0000${report.id}`)) continue;
      let list = waiting.get(target);
      if (list === undefined) waiting.set(target, (list = []));
      list.push(report.id);
    }
  }
  return waiting;
}

/** What referenceNotes reads of the plan being made. */
export interface PlannedPeople {
  readonly identities: readonly Identity[];
  /** A subset plan (an HR push, a SCIM write): the reports outside it are looked up too. */
  readonly subset: boolean;
  readonly managerOf: (identity: Identity) => Identity | undefined;
  readonly links: Pick<LinkIndex, 'get'>;
  readonly managerLinks: Pick<LinkIndex, 'get'> | undefined;
}

/**
 * A plan's `reference.deferred` notes (deferred-references.ts): the
 * references waiting for managers' accounts its changes create, and those
 * following managers' accounts its changes alter, of the people planned and,
 * for a subset plan, of their reports outside it.
 */
export async function referenceNotes(
  store: Pick<Store, 'identities' | 'accounts'>,
  changes: readonly Change[],
  policy: Pick<Policy, 'managerAccountAttributes' | 'managerAccountReads'>,
  people: PlannedPeople,
  sources: readonly Source[],
): Promise<Diagnostic[]> {
  const { identities, subset, managerOf, links, managerLinks } = people;
  const planned = new Set(identities.map((i) => i.id));
  const reads = policy.managerAccountReads;
  const outside = subset ? await outsideReports(store, changes, policy.managerAccountAttributes, planned, sources) : undefined;
  const followers = subset ? { reads, outside: await outsideFollowers(store, changes, reads, planned, sources) } : { reads };
  return deferredReferences(changes, policy.managerAccountAttributes, identities, managerOf, links, managerLinks, outside, followers);
}
