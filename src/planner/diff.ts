import type { TargetConfig } from '../config/types.js';
import type { Attributes, Change, ChangeAction, ChangeState, DesiredAccount, LinkedAccount } from '../core/types.js';
import { DISPUTED_REASON, ENTITLEMENTS_AT_START, NOT_GRANTED, PLACEMENT_DRIFT, ROLE_REMOVED } from '../policy/reasons.js';
import { distinctEntitlements as distinct, entitlementKey, sameValue } from './normalise.js';
import { placementMove } from './placement.js';

/**
 * Diff of one desired account against its link, in the order the executor
 * runs them: create, update, enable, grant, revoke, disable, delete.
 */
export function diffAccount(desired: DesiredAccount, link: LinkedAccount | undefined, target: TargetConfig | undefined, out: Change[]): void {
  if (!desired.present) {
    if (link !== undefined) {
      const before: ChangeState = { accountId: link.accountId, enabled: link.enabled, attributes: link.attributes };
      out.push(change(desired, 'delete', before, null, desired.reasons));
    }
    return;
  }
  if (link === undefined) {
    // Held: the target already has accounts that may be this person's (policy said so in a diagnostic).
    if (desired.reasons.includes(DISPUTED_REASON)) return;
    const accountId = accountIdOf(desired.attributes, target);
    const after: ChangeState = accountId === undefined
      ? { enabled: desired.enabled, attributes: desired.attributes }
      : { accountId, enabled: desired.enabled, attributes: desired.attributes };
    out.push(change(desired, 'create', null, after, desired.reasons));
    if (desired.entitlements.length === 0) return;
    const reasons = withReason(desired.reasons, 'role.added');
    // Policy gives each entitlement once (by entitlementKey): no check on this path, which every create takes.
    for (const entitlement of desired.entitlements) {
      out.push(change(desired, 'grant', null, accountId === undefined ? { entitlement } : { accountId, entitlement }, reasons, entitlement));
    }
    return;
  }
  const planned = out.length;
  const update = changedAttributes(desired.attributes, link.attributes, target?.secrets);
  // Where the account's id is its key (sql, memory), a new key names it from this update on: the update says so (the
  // executor links the new id), and the plan's other changes name the account by it.
  const renamed = update === undefined ? undefined : renamedId(link, update.after, target);
  const accountId = renamed ?? link.accountId;
  const misplaced = placementMove(desired, link, target);
  if (update) {
    // Misplaced too: the update moves it where its new values place it (UpdateOptions.place), so only where it is now is said.
    const reasons = withReason(desired.reasons, 'mapping.changed');
    const at = misplaced === undefined ? {} : { placement: misplaced.at };
    out.push(change(desired, 'update', { accountId: link.accountId, attributes: update.before, ...at }, { accountId, attributes: update.after }, misplaced === undefined ? reasons : withReason(reasons, PLACEMENT_DRIFT)));
  } else if (misplaced !== undefined) {
    // Nothing to write but the move back: where it is, where it goes.
    out.push(change(desired, 'update', { accountId, attributes: {}, placement: misplaced.at }, { accountId, attributes: {}, placement: misplaced.belongs }, withReason(desired.reasons, PLACEMENT_DRIFT)));
  }
  if (desired.enabled && !link.enabled) {
    // With the secret attributes' fingerprints (sealed later with their values): a connector that writes a rehire's
    // password again in the same write as the enable (ldap: users.passwordOnEnable) has it to write.
    const secrets = enableCarriesSecrets(desired, link) ? secretsOf(desired.attributes, target) : undefined;
    out.push(change(desired, 'enable', { accountId, enabled: false }, { accountId, enabled: true, ...(secrets === undefined ? {} : { attributes: secrets }) }, desired.reasons));
  } else if (desired.enabled && link.enabled && desired.newEmploymentSince !== undefined) {
    // Enabled, with the former employment's credentials (policy/rehire-credentials.ts): an enable that sets new ones.
    const secrets = secretsOf(desired.attributes, target);
    out.push(change(desired, 'enable', { accountId, enabled: true },
      { accountId, enabled: true, ...(secrets === undefined ? {} : { attributes: secrets }), newEmploymentSince: desired.newEmploymentSince }, desired.reasons));
  }
  entitlementChanges(desired, link, accountId, out);
  if (!desired.enabled && link.enabled) {
    out.push(change(desired, 'disable', { accountId, enabled: true }, { accountId, enabled: false }, desired.reasons));
  }
  if (out.length === planned && desired.undecided !== true && (link.outOfScopeSince === undefined) === desired.reasons.includes(SCOPE_REMOVED)) {
    // Nothing else to apply, and the link's record of leaving scope is not what policy says: an update that only
    // records it (or clears it), which the executor applies without reaching the target (executor/apply-change.ts).
    // Policy undecided (an expression failed) says nothing of scope: the record stays, and so does the grace it started.
    out.push(change(desired, 'update', { accountId, attributes: {} }, { accountId, attributes: {} }, desired.reasons));
  }
}

/**
 * Whether the account's enable (policy wants it enabled, its link is
 * disabled) carries the secret attributes: any but a joiner's first day's,
 * which keeps the password its create wrote (connectors/types.ts
 * EnableReason). It carries them even for a link that holds nothing for them
 * (an account adopted by reconcile): the mapping says what a rehire's
 * password is, and the former one must not survive the rehire
 * (engine/secret-attributes.ts keeps their fingerprints for it). So does
 * the enable of an enabled account whose credentials are the former
 * employment's (DesiredAccount.newEmploymentSince).
 */
export function enableCarriesSecrets(desired: DesiredAccount, link: LinkedAccount): boolean {
  if (desired.present && desired.enabled && link.enabled && desired.newEmploymentSince !== undefined) return true;
  if (!desired.present || !desired.enabled || link.enabled) return false;
  return !(desired.reasons.includes('joiner') && !desired.reasons.includes('rehire'));
}

/** The reason of the scope-removed treatment: its changes record when the account left scope (LinkedAccount.outOfScopeSince). */
const SCOPE_REMOVED = 'scope.removed';

function entitlementChanges(desired: DesiredAccount, link: LinkedAccount, accountId: string, out: Change[]): void {
  const want = desired.entitlements;
  const have = link.entitlements;
  if (want.length === have.length && want.every((w, i) => w === have[i])) return;
  const haveKeys = new Set(have.map(entitlementKey));
  const wantKeys = new Set(want.map(entitlementKey));
  const grantReasons = withReason(desired.reasons, 'role.added');
  for (const entitlement of distinct(want)) {
    if (!haveKeys.has(entitlementKey(entitlement))) {
      out.push(change(desired, 'grant', null, { accountId, entitlement }, grantReasons, entitlement));
    }
  }
  const revoked = distinct(have.filter((e) => !wantKeys.has(entitlementKey(e))));
  if (revoked.length === 0) return;
  if (revoked.length > 1) revoked.sort();
  const all = desired.reasons.includes('leaver.revoke_all') || desired.reasons.includes(ENTITLEMENTS_AT_START);
  const notGranted = all || link.notGranted === undefined || link.notGranted.length === 0 ? undefined : new Set(link.notGranted.map(entitlementKey));
  const removed = all ? desired.reasons : withReason(desired.reasons, ROLE_REMOVED);
  for (const entitlement of revoked) {
    // A membership Roster never granted (added in the target by hand, or held when the account was adopted) lost no role.
    const reasons = notGranted?.has(entitlementKey(entitlement)) === true ? withReason(desired.reasons, NOT_GRANTED) : removed;
    out.push(change(desired, 'revoke', { accountId, entitlement }, null, reasons, entitlement));
  }
}

/**
 * Attributes whose normalised values differ (only the ones policy maps: others are the target's own). A secret
 * attribute (`secrets`) the link holds nothing for (an adopted account's) is never updated: the account keeps the
 * secret it has, and only an enable that carries it (enableCarriesSecrets) writes it.
 */
function changedAttributes(
  desired: Attributes, actual: Attributes, secrets: readonly string[] = [],
): { before: Record<string, unknown>; after: Record<string, unknown> } | undefined {
  let result: { before: Record<string, unknown>; after: Record<string, unknown> } | undefined;
  for (const name in desired) {
    if (secrets.length > 0 && secrets.includes(name) && !Object.hasOwn(actual, name)) continue;
    const want = desired[name];
    const have = actual[name];
    if (sameValue(want, have, name)) continue;
    result ??= { before: {}, after: {} };
    result.before[name] = have ?? null;
    result.after[name] = want ?? null;
  }
  return result;
}

/** The desired values of the target's secret attributes (TargetConfig.secrets: fingerprints by now), if it has any. */
function secretsOf(attributes: Attributes, target: TargetConfig | undefined): Attributes | undefined {
  const names = target?.secrets?.filter((name) => attributes[name] !== undefined && attributes[name] !== null) ?? [];
  return names.length === 0 ? undefined : Object.fromEntries(names.map((name) => [name, attributes[name]]));
}

/** The account's new id when its id is its key's value (the link says so) and the update gives the key a new one. */
function renamedId(link: LinkedAccount, after: Readonly<Record<string, unknown>>, target: TargetConfig | undefined): string | undefined {
  if (target === undefined || !Object.hasOwn(after, target.accountKey)) return undefined;
  const old = link.attributes[target.accountKey];
  if ((typeof old !== 'string' && typeof old !== 'number') || String(old) !== link.accountId) return undefined;
  const next = after[target.accountKey];
  return (typeof next === 'string' && next !== '') || typeof next === 'number' ? String(next) : undefined;
}

function accountIdOf(attributes: Attributes, target: TargetConfig | undefined): string | undefined {
  if (target === undefined) return undefined;
  const value = attributes[target.accountKey];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The reasons with `reason` added once. */
export function withReason(reasons: readonly string[], reason: string): readonly string[] {
  return reasons.includes(reason) ? reasons : [...reasons, reason];
}

/**
 * A part of a change id with its ':' (and '%') escaped, so that different
 * (identity, action, entitlement) never give the same id: an identity keyed
 * `x:grant` must not collide with identity `x`'s grants, since a job whose id
 * is already queued is not enqueued again. Ids without ':' or '%' are as before.
 */
function idPart(text: string): string {
  return text.includes(':') || text.includes('%') ? text.replaceAll('%', '%25').replaceAll(':', '%3A') : text;
}

function change(
  desired: DesiredAccount, action: ChangeAction, before: ChangeState | null, after: ChangeState | null,
  reasons: readonly string[], entitlement?: string,
): Change {
  const id = `${desired.target}:${idPart(desired.identityId)}:${action}${entitlement === undefined ? '' : `:${idPart(entitlement)}`}`;
  return { id, identity: desired.identityId, target: desired.target, action, before, after, reasons };
}
