import type { TargetConfig } from '../config/types.js';
import type { AccountPlacement, DesiredAccount, LinkedAccount } from '../core/types.js';

/**
 * Whether the target moves accounts back where it places them
 * (`connection.users.placement: enforce`, the ldap and ad targets). A link
 * keeps the placement drift reconcile recorded until the next pass, so a
 * target switched to `keep` since still holds records: they are not acted
 * on (the administrator switched to keep so the entries stay). An unknown
 * target (a plan built by hand) trusts the record.
 */
export function enforcesPlacement(target: TargetConfig | undefined): boolean {
  if (target === undefined) return true;
  const users = target.connection.users;
  return typeof users === 'object' && users !== null && (users as { readonly placement?: unknown }).placement === 'enforce';
}

/**
 * The link's placement drift to put right (LinkedAccount.placement), unless
 * the target no longer enforces placement, or an enable or disable this plan
 * makes puts the account in place itself (`byState`: the ldap disable by
 * move), so a leaver moved out of the disabled OU by hand goes back there
 * with its disable, never through the active OU first.
 */
export function placementMove(desired: DesiredAccount, link: LinkedAccount, target: TargetConfig | undefined): AccountPlacement | undefined {
  const placement = link.placement;
  if (placement === undefined || !enforcesPlacement(target)) return undefined;
  return placement.byState === true && desired.enabled !== link.enabled ? undefined : placement;
}
