import { isRosterError, RosterError } from '../core/errors.js';
import type { Attributes, AuditEntryInput, Change, Job, LinkedAccount, TargetAccount } from '../core/types.js';
import type { Connector, EnableReason } from '../connectors/types.js';
import type { JobEffects, Store } from '../store/types.js';
import type { ClaimedLink } from './links.js';
import { creatingOrphan, isOrphanIdentity, orphanCreating, orphanSkipped } from '../reconcile/orphans.js';
import { adoptedNotGranted, notGrantedAfterRead, notGrantedHeld, withNotGranted, withoutNotGranted } from '../reconcile/not-granted.js';
import { entitlementKey } from '../planner/normalise.js';
import { isSecretFingerprint, openValue, scrubSecrets, sealedFor, withoutSealed } from '../core/secrets.js';
import { asRosterError } from './failure.js';

export interface ApplyContext {
  readonly store: Store;
  readonly connector: Connector;
  readonly actor: string;
  readonly now: () => Date;
  /** The account's link as read when the job was claimed; read here when absent. */
  readonly claimed?: ClaimedLink;
  /** Opens a sealed secret value (ChangeState.sealed) for its place (core/secrets sealedFor); absent when no key was given. */
  readonly unseal?: (sealed: string, context: string) => string;
  /** The target's secret attributes (TargetConfig.secrets): a link started from what the target holds never takes them. */
  readonly secrets?: readonly string[];
  /** The target's account key (TargetConfig.accountKey): how an orphan is told from a create under way. */
  readonly accountKey?: string;
}

/**
 * The attributes to hand the connector: the change's, with each secret
 * attribute's fingerprint replaced by its value, opened here and nowhere
 * else. The link and the audit entry keep the fingerprints. `clear` lists
 * the values opened, so that an error the connector throws quoting one is
 * scrubbed before it is recorded (failure.ts keeps the message). A
 * fingerprint with nothing sealed for it (a plan file edited, a value copied
 * from another link) is refused: the connector would set it as the secret.
 */
function withSecrets(ctx: ApplyContext, change: Change, attributes: Attributes): { attributes: Attributes; clear: Array<[string, string]> } {
  const sealed = change.after?.sealed ?? {};
  const clear: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (isSecretFingerprint(value) && !Object.hasOwn(sealed, name)) {
      throw new RosterError('target.rejected', `change ${change.id}: ${name} holds a secret's fingerprint and no sealed value to write: make a new plan`);
    }
  }
  if (change.after?.sealed === undefined) return { attributes, clear };
  const unseal = ctx.unseal;
  if (unseal === undefined) throw new RosterError('internal', `change ${change.id}: it writes secret attributes and no secrets key was given`);
  const opened: Record<string, unknown> = { ...attributes };
  for (const [name, value] of Object.entries(sealed)) {
    if (!Object.hasOwn(attributes, name)) continue;
    const { value: open, text } = openValue(value, sealedFor(change.target, change.identity, name), unseal);
    opened[name] = open;
    clear.push([name, text]);
    // A list's items may be quoted one by one.
    if (Array.isArray(open)) for (const item of open as unknown[]) if (typeof item === 'string') clear.push([name, item]);
  }
  return { attributes: opened as Attributes, clear };
}

/**
 * Call the connector with the change's secrets opened; what it throws comes
 * back with every opened value scrubbed from its message and details, and
 * without its cause (a driver error may quote the value in fields of its own).
 */
async function withSecretsTo<T>(ctx: ApplyContext, change: Change, attributes: Attributes, write: (attributes: Attributes) => Promise<T>): Promise<T> {
  const { attributes: opened, clear } = withSecrets(ctx, change, attributes);
  try {
    return await write(opened);
  } catch (thrown) {
    if (clear.length === 0) throw thrown;
    const error = asRosterError(thrown);
    throw new RosterError(error.code, scrubSecrets(error.message, clear), {
      retryable: error.retryable, targetWide: error.targetWide,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.details === undefined ? {} : { details: scrubSecrets(error.details, clear) }),
    });
  }
}

/** A change state as the audit log records it: never the sealed secret values. */
const audited = withoutSealed<Change['after']>;

/**
 * Attributes as the link keeps them: what was set, without the cleared
 * (null) ones, but for a secret attribute's (`secrets`): its null records
 * that Roster wrote it empty, so the value that arrives later is written. A
 * link with nothing for a secret is an account Roster did not set it on
 * (adopted), whose secret no plan overwrites (engine/secret-attributes.ts).
 */
function linkAttributes(attributes: Attributes, secrets: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([name, value]) => (value !== null && value !== undefined) || (value === null && secrets.includes(name))));
}

function entitlementOf(change: Change): string {
  const entitlement = change.after?.entitlement ?? change.before?.entitlement;
  if (entitlement === undefined) throw new RosterError('target.rejected', `change ${change.id}: ${change.action} names no entitlement`);
  return entitlement;
}

/**
 * On enable, grant again what the link says the account holds but the target
 * no longer has: a disable that strips memberships (the ldap connector's
 * `strip-groups`) takes them away, and no plan would give them back, since
 * the link still lists them. The link is the record on purpose: it keeps its
 * entitlements across a disable, a revoke planned meanwhile leaves it, so it
 * holds exactly what was stripped and is still granted, with no second copy
 * to keep in step. An entitlement whose group is gone (target.not_found) is
 * dropped from the link instead of failing the enable. Nothing is read when
 * the link lists no entitlement (a leaver's were revoked before the disable).
 */
async function restoreEntitlements(connector: Connector, accountId: string, entitlements: readonly string[]): Promise<{ kept: readonly string[]; restored: string[] }> {
  const restored: string[] = [];
  if (entitlements.length === 0 || !connector.capabilities.entitlements) return { kept: entitlements, restored };
  const held = new Set((await connector.get(accountId))?.entitlements.map(entitlementKey) ?? []);
  const gone = new Set<string>();
  for (const entitlement of entitlements) {
    if (held.has(entitlementKey(entitlement))) continue;
    try {
      await connector.grant(accountId, entitlement);
      restored.push(entitlement);
    } catch (error) {
      if (!isRosterError(error, 'target.not_found')) throw error;
      gone.add(entitlement);
    }
  }
  return { kept: gone.size === 0 ? entitlements : entitlements.filter((e) => !gone.has(e)), restored };
}

/**
 * Why an enable change enables (connectors/types.ts EnableReason), from the reasons the lifecycle gave it
 * (policy/lifecycle-rules.ts active): `rehire` for a new employment after a leaver's disable, `joiner` for
 * a new hire's first day, and `return` for any other (the end of a leave, back in scope, a termination undone).
 */
export function enableReason(reasons: readonly string[]): EnableReason {
  if (reasons.includes('rehire')) return 'rehire';
  if (reasons.includes('joiner')) return 'joiner';
  return 'return';
}

/** The reason of the scope-removed treatment (policy/lifecycle-rules.ts decideScopeRemoved). */
const SCOPE_REMOVED = 'scope.removed';

/**
 * The link with its record of leaving scope brought up to date by an applied
 * change: a change of the scope-removed treatment (its disable, revokes, or
 * the update that only records it, planner/diff.ts) records the moment the
 * first one was applied, which later ones (and retries) keep; any other
 * change (the person back in scope, or a leaver) clears it. It is written
 * with the job's completion, so a held plan records nothing until applied,
 * and a failed or interrupted job records nothing.
 */
function withScopeMark(link: LinkedAccount, change: Change, at: string): LinkedAccount {
  if (change.reasons.includes(SCOPE_REMOVED)) return link.outOfScopeSince === undefined ? { ...link, outOfScopeSince: at } : link;
  if (link.outOfScopeSince === undefined) return link;
  const { outOfScopeSince: _, ...rest } = link;
  return rest;
}

/** The link to start from: the store's, else (an account Roster did not link yet) what the target holds, none of its memberships granted by Roster. */
async function baseLink(ctx: ApplyContext, change: Change, accountId: string, link: LinkedAccount | undefined): Promise<LinkedAccount> {
  if (link !== undefined && link.accountId === accountId) return link;
  const actual = await ctx.connector.get(accountId);
  if (actual === undefined) throw new RosterError('target.not_found', `change ${change.id}: account ${accountId} is not in target ${change.target}`);
  const at = ctx.now().toISOString();
  // Like reconcile: what the target holds for a secret attribute (the value, a hash of it) is never kept.
  const attributes = { ...actual.attributes };
  for (const name of ctx.secrets ?? []) delete attributes[name];
  return {
    target: change.target, identityId: change.identity, accountId, attributes, entitlements: actual.entitlements, enabled: actual.enabled, createdAt: at, updatedAt: at,
    ...adoptedNotGranted(actual.entitlements),
  };
}

/**
 * A create whose person has a linked account by the time it runs: a create
 * planned while an earlier plan's create of the same person was still queued
 * (a run killed after writing the account, before committing its job; a
 * quarantined target), with other attributes (HR changed the name, so the
 * account key). The planner could not know the account; the ordering key runs
 * the earlier create first, which links it. That account is brought in line
 * with this create (attributes, enabled) instead of a second one being made,
 * as a connector's create adopts an account it finds holding the same key.
 */
async function createOverLink(
  ctx: ApplyContext, change: Change, link: LinkedAccount, linked: TargetAccount,
  applied: (extra?: Record<string, unknown>) => AuditEntryInput[],
): Promise<JobEffects> {
  const { connector } = ctx;
  const at = ctx.now().toISOString();
  const attributes = change.after?.attributes ?? {};
  const enabled = change.after?.enabled ?? true;
  await withSecretsTo(ctx, change, attributes, (opened) => connector.update(link.accountId, opened, link.attributes));
  // Where the key is the account's id (sql, memory), the new key names it now.
  const accountId = change.after?.accountId !== undefined && await connector.get(link.accountId) === undefined ? change.after.accountId : link.accountId;
  if (linked.enabled !== enabled && connector.capabilities.disable) await connector.setEnabled(accountId, enabled, { ...link.attributes, ...attributes });
  const now = await connector.get(accountId);
  const { disabledAt, ...rest } = link;
  const entitlements = now?.entitlements ?? linked.entitlements;
  // Memberships read back that the link did not list were added by hand, as reconcile finds them (reconcile/not-granted.ts).
  const upsertAccount = withNotGranted({
    ...rest, accountId, attributes: linkAttributes(attributes, ctx.secrets), entitlements, enabled, updatedAt: at,
    ...(enabled ? {} : { disabledAt: disabledAt ?? at }),
  }, notGrantedAfterRead(link, entitlements));
  return { upsertAccount: withScopeMark(upsertAccount, change, at), audit: applied({ accountId, linked: true }) };
}

/**
 * Apply one change through its connector and describe what it changed: the
 * link to write (or remove) and the audit entry. The caller commits those in
 * the same transaction as the job's completion.
 */
export async function applyChange(job: Job, ctx: ApplyContext): Promise<JobEffects> {
  const { change } = job;
  const { connector, store } = ctx;
  const at = ctx.now().toISOString();
  const link = ctx.claimed !== undefined ? ctx.claimed.link : await store.accounts.get(change.target, change.identity);
  const applied = (extra: Record<string, unknown> = {}): AuditEntryInput[] => [{
    kind: 'change.applied', actor: ctx.actor, identity: change.identity, target: change.target, reasons: change.reasons,
    before: change.before, after: audited(change.after), data: { planId: job.planId, changeId: change.id, action: change.action, ...extra },
  }];

  if (change.action === 'create') {
    const attributes = change.after?.attributes ?? {};
    const enabled = change.after?.enabled ?? true;
    // Linked since this create was planned (an earlier plan's create, left queued by a crash or a quarantine, ran
    // first): creating again would give the person a second account when the key changed in between.
    const linked = link === undefined ? undefined : await connector.get(link.accountId);
    if (link !== undefined && linked !== undefined) return createOverLink(ctx, change, link, linked, applied);
    const account = await withSecretsTo(ctx, change, attributes, (opened) => connector.create({ attributes: opened, enabled }));
    const upsertAccount: LinkedAccount = {
      target: change.target, identityId: change.identity, accountId: account.accountId,
      attributes: linkAttributes(attributes, ctx.secrets), entitlements: account.entitlements, enabled,
      createdAt: link?.createdAt ?? at, updatedAt: at, credentialsSetAt: at, ...(enabled ? {} : { disabledAt: at }),
      // A create grants nothing (the plan's grants follow it): what the account holds already (a connector's create adopted it) Roster did not grant.
      ...adoptedNotGranted(account.entitlements),
    };
    return { upsertAccount: withScopeMark(upsertAccount, change, at), audit: applied({ accountId: account.accountId }) };
  }

  // The link first: a grant planned with a new account's key (after.accountId) must reach the id the
  // create returned (entryUUID, objectGUID), which only the link knows.
  const accountId = change.before?.accountId ?? link?.accountId ?? change.after?.accountId;
  if (accountId === undefined) {
    // A delete planned to follow an earlier plan's create (planner/superseded.ts) that linked nothing (it failed, or was
    // cancelled): there is no account to delete.
    if (change.action === 'delete' && link === undefined) return { audit: applied({ gone: true }) };
    throw new RosterError('target.not_found', `change ${change.id}: no account id in the change and no link for ${change.identity} in ${change.target}`);
  }
  if (isOrphanIdentity(change.identity)) {
    // An orphan a create under way may have made is a joiner's account whose link has not landed yet: left alone.
    // Asked before the links: a create's link lands with its job's end, so one that ends in between is found there.
    const creating = creatingOrphan(change, ctx.accountKey, await store.queue.createsUnderWay(change.target));
    if (creating !== undefined) return { audit: orphanCreating(change, job.planId, accountId, creating, ctx.actor) };
    // One linked since the reconcile pass read the links (another process's create finished meanwhile) is someone's account: left alone.
    const owner = await store.accounts.getByAccountId(change.target, accountId);
    if (owner !== undefined) return { audit: orphanSkipped(change, job.planId, accountId, owner.identityId, ctx.actor) };
  }
  if (change.action === 'delete') {
    await connector.delete(accountId);
    return { removeAccount: { target: change.target, identityId: change.identity }, audit: applied() };
  }
  if (isOrphanIdentity(change.identity)) {
    // An orphan's disable links it to nobody: it stays an orphan (reported, and reachable by `orphans: delete`).
    if (change.action !== 'disable') throw new RosterError('internal', `change ${change.id}: reconcile plans only disable or delete for an orphan`);
    try {
      await connector.setEnabled(accountId, false);
    } catch (error) {
      // Gone since the reconcile (deleted by hand): nothing left to disable, as a delete of it would be done. Asked
      // again by id: a not-found about something else (a missing OU to move it to) must not record a disable that never was.
      if (!isRosterError(error, 'target.not_found') || await connector.get(accountId) !== undefined) throw error;
      return { audit: applied({ gone: true }) };
    }
    return { audit: applied() };
  }
  const current = await baseLink(ctx, change, accountId, link);
  let next: LinkedAccount;
  switch (change.action) {
    case 'update': {
      const attributes = change.after?.attributes ?? {};
      // Placement drift the plan showed (reason placement.drift): the account goes back where its target places it.
      const place = change.before?.placement !== undefined;
      // The link as it was before this change: a retry of a rename that stopped part way says what the account was called.
      // An update with nothing to write (the one that records leaving scope) does not reach the target.
      if (Object.keys(attributes).length > 0 || place) {
        await withSecretsTo(ctx, change, attributes, (opened) => connector.update(accountId, opened, current.attributes, place ? { place } : undefined));
      }
      const renamed = change.after?.accountId ?? accountId;
      next = withoutPlacement({ ...current, accountId: renamed, attributes: linkAttributes({ ...current.attributes, ...attributes }, ctx.secrets) }, place);
      break;
    }
    case 'enable': {
      // With the link's attributes: an account placed by an explicit `dn` goes back there, not to the template's DN.
      // With why it is enabled: a rehire's account gets a new initial password where the connector sets them.
      // With the secret attributes the plan sealed into it, opened: written again in the same write where the connector does (ldap).
      // Planned for an enabled account (a rehire read in one pass, policy/rehire-credentials.ts): its credentials are set anew all the same.
      const secrets = change.after?.attributes ?? {};
      const reason = enableReason(change.reasons);
      const renew = change.before?.enabled === true ? { renew: true } : {};
      const result = await withSecretsTo(ctx, change, secrets, (opened) => connector.setEnabled(accountId, true, current.attributes, {
        reason, ...renew, ...(Object.keys(secrets).length > 0 ? { secrets: opened } : {}),
      }));
      const { kept, restored } = await restoreEntitlements(connector, accountId, current.entitlements);
      const { disabledAt: _, ...rest } = current;
      const data = { ...(restored.length > 0 ? { restored } : {}), ...(result?.newPassword === true ? { newPassword: true } : {}) };
      // Written as given: the link holds their fingerprints, so an adopted account's secret is Roster's from now on.
      const attributes = result?.secretsWritten === true && Object.keys(secrets).length > 0 ? { ...current.attributes, ...secrets } : current.attributes;
      const placed = withoutPlacement(rest, rest.placement?.byState === true);
      // A rehire served (or a password written): the next plan finds the credentials no older than the employment.
      const served = reason === 'rehire' || result?.newPassword === true ? { credentialsSetAt: at } : {};
      return { upsertAccount: withScopeMark(notGrantedHeld({ ...placed, attributes, enabled: true, entitlements: kept, updatedAt: at, ...served }), change, at), audit: applied(data) };
    }
    case 'disable': {
      await connector.setEnabled(accountId, false);
      // A disable by move put a misplaced account in the disabled OU (AccountPlacement.byState): in place now.
      next = withoutPlacement({ ...current, enabled: false, disabledAt: current.enabled ? at : current.disabledAt ?? at }, current.placement?.byState === true);
      break;
    }
    case 'grant': {
      const entitlement = entitlementOf(change);
      await connector.grant(accountId, entitlement);
      // Granted by Roster now, whoever added it before.
      next = withoutNotGranted({ ...current, entitlements: [...new Set([...current.entitlements, entitlement])] }, entitlement);
      break;
    }
    case 'revoke': {
      const entitlement = entitlementOf(change);
      await connector.revoke(accountId, entitlement);
      next = withoutNotGranted({ ...current, entitlements: current.entitlements.filter((e) => e !== entitlement) }, entitlement);
      break;
    }
    default:
      throw new RosterError('internal', `change ${change.id}: unknown action ${String(change.action)}`);
  }
  return { upsertAccount: withScopeMark({ ...next, updatedAt: at }, change, at), audit: applied() };
}

/** The link without its placement drift record (LinkedAccount.placement) when `placed`: the change put the account back. */
function withoutPlacement<T extends { readonly placement?: LinkedAccount['placement'] }>(link: T, placed: boolean): T {
  if (!placed || link.placement === undefined) return link;
  const { placement: _, ...rest } = link;
  return rest as T;
}
