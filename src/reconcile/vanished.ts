import type { TargetConfig } from '../config/types.js';
import type { Hold, LinkedAccount, TargetAccount } from '../core/types.js';
import { describeThreshold, formatCount, formatShare, safetyLimit } from '../lifecycle/threshold.js';

const CHECK = "check connection.base / users.base and the bind account's rights; links kept";

/**
 * A vanished link is removed, and the next plan creates its account again.
 * That is right for an account deleted outside Roster, and wrong when the
 * read itself is short (an OU moved outside the search base, a typo in it, a
 * bind account that lost its rights): every create is then a second account
 * for someone who has one (slapd does not even refuse a second uid). So the
 * removal sits behind the target's safety limits, as orphan actions do: a
 * read that returns nothing while links exist, a read smaller than
 * `safety.minAccounts` where the links say the target is bigger, or more
 * vanished links than `safety.maxDeletes` allows (of the links) holds every
 * vanished link. Below minAccounts links the percentage is not applied, as in
 * plans. Undefined: nothing to hold.
 */
export function vanishedHold(target: TargetConfig, links: readonly LinkedAccount[], accounts: readonly TargetAccount[]): Hold | undefined {
  const present = new Set(accounts.map((a) => a.accountId));
  const vanished = links.filter((l) => !present.has(l.accountId)).length;
  if (vanished === 0) return undefined;
  const found = links.length - vanished;
  const { minAccounts, maxDeletes } = target.safety;
  const hold = (message: string, limit: number): Hold => ({ target: target.id, code: 'safety.vanished', count: vanished, limit, message });
  if (accounts.length === 0) {
    return hold(`the read of ${target.id} returned 0 of ${formatCount(links.length)} linked accounts: ${CHECK}`, 0);
  }
  if (links.length < minAccounts) return undefined;
  if (accounts.length < minAccounts) {
    return hold(`the read of ${target.id} returned ${formatCount(accounts.length)} accounts (${formatCount(found)} of ${formatCount(links.length)} linked), `
      + `fewer than safety.minAccounts (${formatCount(minAccounts)}): ${CHECK}`, 0);
  }
  const limit = safetyLimit(maxDeletes, links.length, minAccounts);
  if (vanished <= limit) return undefined;
  return hold(`${formatCount(vanished)} of ${formatCount(links.length)} linked accounts in ${target.id} are missing from the read `
    + `(${formatShare(vanished, links.length)}); the limit is safety.maxDeletes ${describeThreshold(maxDeletes)}: ${CHECK}`, limit);
}
