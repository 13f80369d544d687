import { referencedAccount } from '../core/references.js';
import type { Plan } from '../core/types.js';
import type { Store } from '../store/types.js';

/**
 * Who holds a referenced account (core/references.ts: AD's `manager: <GUID=…>`),
 * so a plan shows whose account it is rather than the bare GUID:
 * (target, account id) → identity id, undefined when no link holds it.
 */
export type AccountOwners = (target: string, accountId: string) => string | undefined;

/** The owners of every account the plan's attribute values reference, read once each from the links. */
export async function referencedOwners(store: Store, plan: Plan): Promise<AccountOwners> {
  const wanted = new Set<string>();
  const keyOf = (target: string, accountId: string) => `${target}\u0000${accountId}`;
  for (const change of plan.changes) {
    for (const state of [change.before, change.after]) {
      for (const value of Object.values(state?.attributes ?? {})) {
        const accountId = referencedAccount(value);
        if (accountId !== undefined) wanted.add(keyOf(change.target, accountId));
      }
    }
  }
  const owners = new Map<string, string>();
  for (const key of wanted) {
    const [target, accountId] = key.split('\u0000') as [string, string];
    const link = await store.accounts.getByAccountId(target, accountId);
    if (link !== undefined) owners.set(key, link.identityId);
  }
  return (target, accountId) => owners.get(keyOf(target, accountId));
}

/** (target, account id) → the account's key value (its link's `accountKey` attribute), undefined when unknown. */
export type AccountNames = (target: string, accountId: string) => string | undefined;

/** Above this many accounts of one target to name, its links are read in one listing instead of one by one. */
const LIST_FROM = 100;

/**
 * The names of the accounts an enable, disable or delete of the plan acts on,
 * so the plan reads `jsmith enabled: true → false` rather than an entryUUID or
 * objectGUID. Read from the links (the account key as Roster last wrote it).
 */
export async function accountNames(store: Store, plan: Plan, accountKeys: ReadonlyMap<string, string>): Promise<AccountNames> {
  const wanted = new Map<string, Set<string>>();
  for (const change of plan.changes) {
    if (change.action !== 'enable' && change.action !== 'disable' && change.action !== 'delete') continue;
    const accountId = change.before?.accountId ?? change.after?.accountId;
    if (accountId === undefined || !accountKeys.has(change.target)) continue;
    wanted.set(change.target, (wanted.get(change.target) ?? new Set()).add(accountId));
  }
  const names = new Map<string, string>();
  const keyOf = (target: string, accountId: string) => `${target}\u0000${accountId}`;
  for (const [target, ids] of wanted) {
    const key = accountKeys.get(target)!;
    const links = ids.size > LIST_FROM
      ? (await store.accounts.listByTarget(target)).filter((link) => ids.has(link.accountId))
      : (await Promise.all([...ids].map((id) => store.accounts.getByAccountId(target, id)))).filter((link) => link !== undefined);
    for (const link of links) {
      const name = link.attributes[key];
      if (typeof name === 'string' && name !== '' && name !== link.accountId) names.set(keyOf(target, link.accountId), name);
    }
  }
  return (target, accountId) => names.get(keyOf(target, accountId));
}
