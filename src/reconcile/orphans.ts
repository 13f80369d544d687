import type { AuditEntryInput, Change } from '../core/types.js';
import type { QueueStore } from '../store/types.js';

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

type CreateUnderWay = Awaited<ReturnType<QueueStore['createsUnderWay']>>[number];

/** An account key as compared here: one value, its Unicode form and case set aside (directories match keys case-blind). */
function keyText(value: unknown): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined || one === null ? undefined : String(one).normalize('NFC').toLowerCase();
}

/**
 * The create under way (QueueStore.createsUnderWay) that may have made this
 * orphan's account: one whose account key is the orphan's, or, when the
 * orphan's key is unknown (not read, no key given), any of them. Such an
 * account is a joiner's whose link has not landed yet, not an orphan.
 */
export function creatingOrphan(change: Change, accountKey: string | undefined, creates: readonly CreateUnderWay[]): CreateUnderWay | undefined {
  const key = accountKey === undefined ? undefined : keyText(change.before?.attributes?.[accountKey]);
  if (key === undefined) return creates[0];
  return creates.find((create) => keyText(create.change.after?.attributes?.[accountKey!]) === key);
}

/** The audit entry of an orphan change not applied because a create under way may have made its account. */
export function orphanCreating(change: Change, planId: string, accountId: string, create: CreateUnderWay, actor: string): AuditEntryInput[] {
  return [{
    kind: 'change.skipped', actor, identity: change.identity, target: change.target, reasons: [...change.reasons, 'reconcile.create_under_way'],
    before: change.before, data: { planId, changeId: change.id, action: change.action, accountId, creating: create.change.identity, createJob: create.jobId },
  }];
}
