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

/**
 * An account key's values as compared here, their Unicode form and case set
 * aside (directories match keys case-blind). Every value: an entry may hold
 * several (a create adopting an entry that kept an old uid), and a read gives
 * them sorted, so the create's need not come first.
 */
function keyTexts(value: unknown): string[] {
  const values: readonly unknown[] = Array.isArray(value) ? value : [value];
  return values.filter((one) => one !== undefined && one !== null).map((one) => String(one).normalize('NFC').toLowerCase());
}

/**
 * The create under way (QueueStore.createsUnderWay) that may have made this
 * orphan's account: one with one of the orphan's account key values, or,
 * when the orphan's key is unknown (not read, no key given), any of them.
 * Such an account is a joiner's whose link has not landed yet, not an orphan.
 */
export function creatingOrphan(change: Change, accountKey: string | undefined, creates: readonly CreateUnderWay[]): CreateUnderWay | undefined {
  const keys = new Set(accountKey === undefined ? [] : keyTexts(change.before?.attributes?.[accountKey]));
  if (keys.size === 0) return creates[0];
  return creates.find((create) => keyTexts(create.change.after?.attributes?.[accountKey!]).some((key) => keys.has(key)));
}

/** The audit entry of an orphan change not applied because a create under way may have made its account. */
export function orphanCreating(change: Change, planId: string, accountId: string, create: CreateUnderWay, actor: string): AuditEntryInput[] {
  return [{
    kind: 'change.skipped', actor, identity: change.identity, target: change.target, reasons: [...change.reasons, 'reconcile.create_under_way'],
    before: change.before, data: { planId, changeId: change.id, action: change.action, accountId, creating: create.change.identity, createJob: create.jobId },
  }];
}
