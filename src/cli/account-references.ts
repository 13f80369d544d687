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
