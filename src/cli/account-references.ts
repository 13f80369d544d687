import type { Plan } from '../core/types.js';
import type { Store } from '../store/types.js';

/**
 * Values that name another account by its id, as AD's DN-valued attributes
 * are written (`manager: <GUID=…>`, examples/ad): a plan shows whose account
 * that is rather than the bare GUID.
 */
const OBJECT_REFERENCE = /^<GUID=([0-9a-f-]+)>$/i;

/** The account id a value names by reference, or undefined. */
export function referencedAccount(value: unknown): string | undefined {
  return typeof value === 'string' ? OBJECT_REFERENCE.exec(value)?.[1] : undefined;
}

/** Who holds a referenced account: (target, account id) → identity id, undefined when no link holds it. */
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
