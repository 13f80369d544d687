/** Reason code of a desired account whose create is held by an open dispute (plan diagnostics and `roster explain`). */
export const DISPUTED_REASON = 'reconcile.disputed';

/**
 * Reason code of a future hire's account prepared without entitlements
 * (lifecycle.prehireEntitlements: false): its create grants nothing, and what
 * it holds is revoked with this reason; the roles' grants come with the
 * start-day enable (`joiner`, `role.added`).
 */
export const ENTITLEMENTS_AT_START = 'joiner.entitlements_at_start';

/** Reason code of a revoke of an entitlement no role gives that Roster granted (the role no longer applies, or is gone). */
export const ROLE_REMOVED = 'role.removed';

/**
 * Reason code of a revoke of an entitlement no role gives that Roster never
 * granted: a membership added in the target by hand, or held when reconcile
 * adopted the account (LinkedAccount.notGranted). Roster manages every
 * entitlement of the target its roles name, so it goes all the same.
 */
export const NOT_GRANTED = 'entitlement.not_granted';

/**
 * Reason code of a move of an account back where its target places it: a
 * directory entry moved by hand to another OU, with an ldap or ad target's
 * `users.placement: enforce` (LinkedAccount.placement). Reconcile records it
 * (`account.misplaced`), the plan's update carries it.
 */
export const PLACEMENT_DRIFT = 'placement.drift';
