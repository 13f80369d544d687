import type { Connector } from '../connectors/types.js';
import type { AccountPlacement, AuditEntryInput, LinkedAccount, TargetAccount } from '../core/types.js';
import { PLACEMENT_DRIFT } from '../policy/reasons.js';

/**
 * A link refreshed by reconcile with its placement as read: where the
 * connector says the account belongs when it is elsewhere (Connector.placement,
 * judged against the link's own attributes, an explicit `dn` among them), no
 * record when it is in place or the connector does not tell.
 */
export function withPlacement(link: LinkedAccount, refreshed: LinkedAccount, account: TargetAccount, connector: Pick<Connector, 'placement'>): LinkedAccount {
  const placement = connector.placement?.(account, link.attributes);
  if (placement === undefined) {
    if (refreshed.placement === undefined) return refreshed;
    const { placement: _, ...rest } = refreshed;
    return rest;
  }
  return { ...refreshed, placement };
}

/** The audit entry of a placement reconcile finds new (or changed) on a link: `roster explain` shows it with the identity's history. */
export function placementFound(before: LinkedAccount, after: LinkedAccount, actor: string): AuditEntryInput | undefined {
  const found = after.placement;
  if (found === undefined || samePlacement(before.placement, found)) return undefined;
  return {
    kind: 'account.misplaced', actor, identity: after.identityId, target: after.target, reasons: [PLACEMENT_DRIFT],
    data: { accountId: after.accountId, at: found.at, belongs: found.belongs },
  };
}

function samePlacement(a: AccountPlacement | undefined, b: AccountPlacement): boolean {
  return a !== undefined && a.at === b.at && a.belongs === b.belongs;
}
