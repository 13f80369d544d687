import type { LinkedAccount } from '../core/types.js';
import { distinctEntitlements as distinct, entitlementKey } from '../planner/normalise.js';

/**
 * The record of which of a link's entitlements Roster never granted
 * (LinkedAccount.notGranted): what an account held when Roster linked it
 * without creating it, and what was added in the target by hand since. The
 * planner says `entitlement.not_granted` for a revoke of one (planner/diff.ts).
 * An entry stays only while the link holds it; an empty record is no record
 * (the field is absent), so a link with none is written as it always was.
 */

/** The record of a link to an account Roster did not create (matched, linked by an admin, adopted by a create): all it holds. */
export function adoptedNotGranted(entitlements: readonly string[]): { readonly notGranted?: readonly string[] } {
  const held = distinct(entitlements);
  return held.length === 0 ? {} : { notGranted: held };
}

/**
 * The record once the link's entitlements were read back from the target
 * (`held`): what the link did not list was added by hand; what it recorded
 * stays while still held. The link's own array when nothing changed.
 */
export function notGrantedAfterRead(link: LinkedAccount, held: readonly string[]): readonly string[] | undefined {
  const earlier = link.notGranted;
  // The common case, read on every reconcile pass for every link: nothing new, nothing recorded.
  if (earlier === undefined && listedIn(held, link.entitlements)) return undefined;
  const had = new Set(link.entitlements.map(entitlementKey));
  const kept = new Set(earlier?.map(entitlementKey));
  const found = distinct(held).filter((e) => !had.has(entitlementKey(e)) || kept.has(entitlementKey(e)));
  if (found.length === 0) return undefined;
  return earlier !== undefined && earlier.length === found.length && earlier.every((e, i) => e === found[i]) ? earlier : found;
}

/** The link with this record (absent when empty). */
export function withNotGranted(link: LinkedAccount, notGranted: readonly string[] | undefined): LinkedAccount {
  if (notGranted !== undefined && notGranted.length > 0) return link.notGranted === notGranted ? link : { ...link, notGranted };
  if (link.notGranted === undefined) return link;
  const { notGranted: _, ...rest } = link;
  return rest;
}

/** The link once Roster granted or revoked `entitlement`: no longer one it never granted. */
export function withoutNotGranted(link: LinkedAccount, entitlement: string): LinkedAccount {
  if (link.notGranted === undefined) return link;
  const key = entitlementKey(entitlement);
  return withNotGranted(link, link.notGranted.filter((e) => entitlementKey(e) !== key));
}

/** The link's record kept to what it still holds (an enable that dropped a group gone from the target). */
export function notGrantedHeld(link: LinkedAccount): LinkedAccount {
  if (link.notGranted === undefined) return link;
  const held = new Set(link.entitlements.map(entitlementKey));
  const kept = link.notGranted.filter((e) => held.has(entitlementKey(e)));
  return kept.length === link.notGranted.length ? link : withNotGranted(link, kept);
}

/** Every one of `held` spelt as in `listed` (a plain string match: a respelling takes the slower path above). */
function listedIn(held: readonly string[], listed: readonly string[]): boolean {
  if (held.length * listed.length <= 256) return held.every((e) => listed.includes(e));
  const set = new Set(listed);
  return held.every((e) => set.has(e));
}
