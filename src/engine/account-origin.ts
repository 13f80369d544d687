import type { AuditEntry } from '../core/types.js';
import type { AuditStore } from '../store/types.js';

/** The audit kinds that say how an account came to be linked to its identity. */
const ORIGIN_KINDS = ['change.applied', 'account.linked'] as const;
const PAGE = 1000;

/**
 * How the account Roster holds for this identity in `target` came to be
 * linked, from the identity's audit entries (oldest first): created by a plan,
 * adopted by reconcile (the match rule that found it), or linked by an admin.
 * The last such entry for the target wins (a later link replaces an earlier
 * one). Undefined when no account is linked, or nothing
 * in the log says (a store older than the log).
 */
export function accountOrigin(audit: readonly AuditEntry[], target: string, accountId: string | undefined): string | undefined {
  if (accountId === undefined) return undefined;
  let origin: string | undefined;
  for (const entry of audit) {
    if (entry.target !== target) continue;
    const data = (entry.data ?? {}) as { action?: unknown; accountId?: unknown; rule?: unknown; planId?: unknown; linked?: unknown };
    // A create that found its person already linked (executor/apply-change.ts createOverLink) made nothing: the origin stays.
    if (entry.kind === 'change.applied' && data.action === 'create' && data.linked !== true) {
      // Not matched by account id: a rename since (an update with a new key) gives the account another one.
      origin = `created by Roster on ${entry.at}${typeof data.planId === 'string' ? ` (plan ${data.planId})` : ''}`;
    } else if (entry.kind === 'account.linked' && (data.accountId === undefined || data.accountId === accountId)) {
      origin = entry.reasons?.includes('reconcile.linked_by_admin')
        ? `not created by Roster: linked by ${entry.actor} on ${entry.at} (roster reconcile --link)`
        : `not created by Roster: adopted by reconcile on ${entry.at}${typeof data.rule === 'string' ? `, matched by ${data.rule}` : ''}`;
    }
  }
  return origin;
}

/**
 * Every entry of the identity that can tell an account's origin, in seq
 * order, read page by page: not the first entries of a long history only
 * (an account re-linked after years of changes keeps its true origin).
 */
export async function originEntries(audit: AuditStore, identityId: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (const kind of ORIGIN_KINDS) {
    for (let afterSeq = 0; ;) {
      const page = await audit.list({ identity: identityId, kind, afterSeq, limit: PAGE });
      entries.push(...page);
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) break;
      afterSeq = last.seq;
    }
  }
  return entries.sort((a, b) => a.seq - b.seq);
}
