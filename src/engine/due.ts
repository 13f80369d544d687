import type { RosterConfig } from '../config/types.js';
import type { Identity, LinkedAccount } from '../core/types.js';
import type { Store } from '../store/types.js';

const DAY = 86_400_000;

/**
 * The identities one of whose date boundaries fell in (since, now]: what the
 * scheduler's tick reconciles (engine/scheduler.ts).
 * - from the person: the start and the prehire lead time before it, the end
 *   date and the end date plus each target's delete grace;
 * - from the links of targets that delete after a grace (policy/lifecycle-rules.ts
 *   counts the grace from the later of the end and the disable, and for an
 *   account out of scope from when it left scope): the disable plus the
 *   grace, the link's `outOfScopeSince` plus the grace, and for a disabled
 *   account the person's last change plus the grace (when a disabled
 *   account's person left scope, Roster counts from the later of the two).
 * A termination entered late, or an account out of scope, is deleted when
 * its grace ends, not at the next full read of the source (there may be none).
 */
export async function dueSince(store: Store, config: RosterConfig, since: Date, now: Date): Promise<string[]> {
  const from = since.getTime();
  const to = now.getTime();
  const inSpan = (p: number): boolean => p > from && p <= to;
  const identities = await store.identities.list();
  const due = new Set<string>();
  for (const identity of identities) {
    if (isDue(identity, inSpan, config)) due.add(identity.id);
  }
  const graces = config.targets.filter((t) => t.leaver.deleteAfterMs !== null);
  if (graces.length === 0) return [...due];
  const byId = new Map(identities.map((i) => [i.id, i]));
  for (const target of graces) {
    const grace = target.leaver.deleteAfterMs!;
    for (const link of await store.accounts.listGraceCandidates(target.id)) {
      if (due.has(link.identityId)) continue;
      if (linkGraceEnds(link, byId.get(link.identityId), grace).some(inSpan)) due.add(link.identityId);
    }
  }
  return [...due];
}

/** Did one of the person's own date boundaries fall in the span? */
function isDue(identity: Identity, inSpan: (p: number) => boolean, config: RosterConfig): boolean {
  const points: number[] = [];
  if (identity.startAt) {
    const start = Date.parse(identity.startAt);
    points.push(start, start - config.lifecycle.prehireLeadDays * DAY);
  }
  if (identity.endAt) {
    const end = Date.parse(identity.endAt);
    points.push(end);
    for (const target of config.targets) {
      if (target.leaver.deleteAfterMs !== null) points.push(end + target.leaver.deleteAfterMs);
    }
  }
  return points.some(inSpan);
}

/** When the delete grace of this link may end (ms); NaN for a date that does not parse (never in a span). */
function linkGraceEnds(link: LinkedAccount, identity: Identity | undefined, grace: number): number[] {
  const ends: number[] = [];
  if (link.disabledAt !== undefined) ends.push(Date.parse(link.disabledAt) + grace);
  if (link.outOfScopeSince !== undefined) ends.push(Date.parse(link.outOfScopeSince) + grace);
  if (!link.enabled && identity !== undefined) ends.push(Date.parse(identity.updatedAt) + grace);
  return ends;
}
