import type { AuditEntryInput, Change } from '../core/types.js';

/**
 * Orphans are no identity's: their changes (disable, delete) carry this
 * pseudo-identity so the queue orders them per account. Applying one must
 * not link the account to it (it would stop being an orphan).
 */
const PREFIX = 'orphan:';

export const orphanIdentity = (accountId: string): string => `${PREFIX}${accountId}`;

export const isOrphanIdentity = (identityId: string): boolean => identityId.startsWith(PREFIX);

/**
 * The audit entry of an orphan change not applied because its account is
 * linked now: a create applied by another process landed after the reconcile
 * pass read the links, so the account is a person's, not an orphan.
 */
export function orphanSkipped(change: Change, planId: string, accountId: string, linkedTo: string, actor: string): AuditEntryInput[] {
  return [{
    kind: 'change.skipped', actor, identity: change.identity, target: change.target, reasons: [...change.reasons, 'reconcile.orphan_linked'],
    before: change.before, data: { planId, changeId: change.id, action: change.action, accountId, linkedTo },
  }];
}
