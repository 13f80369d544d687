import type { LinkedAccount, Plan } from '../../src/core/types.js';
import type { Store } from '../../src/store/types.js';

/**
 * Record in the store the links a plan of creates and grants would leave
 * behind, without calling connectors or the queue (`--apply links`). It lets
 * the plan benchmark reach the no-change plan at 100,000 identities when the
 * full apply would take too long; the no-change plan's change count shows
 * whether the links match what policy wants. Only create and grant are
 * understood: a first plan on an empty store has nothing else.
 */
export async function recordPlannedLinks(store: Store, plan: Plan, accountKeys: ReadonlyMap<string, string>, at: Date): Promise<number> {
  const links = new Map<string, LinkedAccount & { entitlements: string[] }>();
  const time = at.toISOString();
  for (const change of plan.changes) {
    const id = `${change.target}\u0000${change.identity}`;
    if (change.action === 'create') {
      const attributes = change.after?.attributes ?? {};
      const accountId = change.after?.accountId ?? String(attributes[accountKeys.get(change.target) ?? ''] ?? change.identity);
      links.set(id, {
        target: change.target, identityId: change.identity, accountId, attributes,
        entitlements: links.get(id)?.entitlements ?? [], enabled: change.after?.enabled ?? true, createdAt: time, updatedAt: time,
      });
    } else if (change.action === 'grant' && change.after?.entitlement !== undefined) {
      const link = links.get(id);
      if (link) link.entitlements.push(change.after.entitlement);
    } else {
      throw new Error(`--apply links understands only create and grant, not ${change.action} (${change.id})`);
    }
  }
  await store.accounts.upsertMany([...links.values()]);
  return links.size;
}
