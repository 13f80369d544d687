import { randomUUID } from 'node:crypto';
import type { TargetConfig } from '../config/types.js';
import type { Connector } from '../connectors/types.js';
import type { AuditEntryInput, Change, Diagnostic, Hold, LinkedAccount, Plan, TargetAccount } from '../core/types.js';
import { mapLimited } from '../core/concurrency.js';
import { isObjectReference } from '../core/references.js';
import { QueuedChanges, safetyHolds, summaryOf, withoutQueued } from '../planner/index.js';
import { quarantineKey, type QuarantineRecord } from '../executor/quarantine.js';
import { uniqueAttributesOf } from '../policy/index.js';
import { bindAccountTest } from '../reconcile/bind-account.js';
import { correlate, unreadRules, type Verdict } from '../reconcile/correlate.js';
import { newLink } from '../reconcile/link.js';
import { notGrantedAfterRead, withNotGranted } from '../reconcile/not-granted.js';
import { placementFound, withPlacement } from '../reconcile/placement.js';
import { memoKey, memoOf, unlinkedKey, type UnlinkedAccounts } from '../reconcile/memo.js';
import { NO_IDENTITIES, noIdentitiesHold } from '../reconcile/no-identities.js';
import { isOrphanIdentity, orphanIdentity } from '../reconcile/orphans.js';
import { sourceProblemsHold, withHold } from '../reconcile/source-problems.js';
import { vanishedHold } from '../reconcile/vanished.js';
import type { Store } from '../store/types.js';

export interface ReconcileReport {
  readonly target: string;
  readonly accounts: number;
  /** Accounts already linked; their actual state was refreshed into the links (drift shows in the next plan). */
  readonly linked: number;
  readonly matched: readonly { readonly accountId: string; readonly identity: string; readonly rule: string }[];
  /** `disabled`: so as read (`orphans: disable` plans nothing for it, so the plan may have fewer disables than orphans listed). */
  readonly orphans: readonly { readonly accountId: string; readonly key: unknown; readonly disabled?: true }[];
  /**
   * Accounts the read found linked to nobody whose link landed before the
   * pass planned anything (a create applied by another process meanwhile):
   * not orphans, no action planned (`reconcile.orphan_skipped` in the audit).
   */
  readonly linkedMeanwhile?: readonly { readonly accountId: string; readonly identity: string }[];
  readonly disputed: readonly { readonly accountId: string; readonly key: unknown; readonly candidates: readonly string[]; readonly rule: string }[];
  /** Linked accounts found elsewhere than their mapping places them (`users.placement: enforce`): the next plan moves them back. */
  readonly misplaced?: readonly { readonly accountId: string; readonly identity: string; readonly at: string; readonly belongs: string }[];
  /** Links whose account is gone from the target: removed, so the next plan re-creates what policy wants. */
  readonly vanished: readonly { readonly accountId: string; readonly identity: string }[];
  /**
   * Set when the read looks short (src/reconcile/vanished.ts): the links whose
   * account it did not return are kept, none removed, and `hold` says why.
   * The orphan plan is held with it. `removeVanished` removes them instead.
   */
  readonly vanishedHeld?: { readonly hold: Hold; readonly links: readonly { readonly accountId: string; readonly identity: string }[] };
  /**
   * Match rules whose attribute no account read carries (src/reconcile/correlate.ts
   * `unreadRules`): said, the other rules tried. Every pass sets it (empty: none).
   */
  readonly warnings?: readonly string[];
  /**
   * Set when this first pass read fewer than `safety.minAccounts` accounts and
   * linked none, and `force` was not set: the pass is not remembered, so the
   * target's creates stay held (a mistyped base would otherwise have the next
   * plan create everyone again), and its orphan actions are held
   * (`reconcile.short_first_read`: what it read may not be the people). Set too, whatever `force`, when the pass read
   * accounts but the store has no identity to match them to: the pass is
   * refused (its plan held by `reconcile.no_identities`, src/reconcile/no-identities.ts).
   * Says why and what to do.
   */
  readonly createsHeld?: string;
  /** Changes for orphans when the target's reconcile.orphans is disable or delete. */
  readonly plan: Plan;
}

/**
 * Read every account in a target, correlate each to an identity, link the
 * matches (never creating anything), refresh the links' actual state, and
 * plan the configured action for orphans behind the target's safety limits.
 * What the pass learnt about unlinked accounts (names they hold, people with
 * disputed accounts) is kept for the plans that follow (src/reconcile/memo.ts).
 * Links whose account the read did not return are removed, unless the read
 * looks short (src/reconcile/vanished.ts) and `removeVanished` is not set:
 * then every one is kept and reported, and the orphan plan is held. A first
 * pass that reads too little to trust (`shortFirstRead`) is not remembered
 * unless `force`: the target's creates stay held, and so do its orphan actions. A pass that read accounts
 * while the store has no identity at all is refused, `force` or not: it could
 * only call every account an orphan (src/reconcile/no-identities.ts).
 */
export async function reconcileTarget(input: {
  readonly store: Store;
  readonly target: TargetConfig;
  readonly connector: Connector;
  readonly now: Date;
  readonly actor: string;
  /** Remove vanished links even when the read looks short: only ever asked for by name, never implied by `force`. */
  readonly removeVanished?: boolean;
  /** Accept a first read smaller than safety.minAccounts (a new, empty directory): its creates may go ahead. */
  readonly force?: boolean;
  /** The configured sources, whose last reads' skipped rows hold orphan actions (reconcile/source-problems.ts). */
  readonly sourceIds: readonly string[];
}): Promise<ReconcileReport> {
  const { store, target, connector, now, actor } = input;
  const accounts: TargetAccount[] = [];
  // What a target holds for a secret attribute (the value, a hash of it) is kept nowhere: not in links, memos or snapshots.
  const hidden = target.secrets ?? [];
  for await (const account of connector.list()) accounts.push(hidden.length === 0 ? account : withoutAttributes(account, hidden));
  const stored = await store.accounts.listByTarget(target.id);
  // Links to orphan pseudo-identities (written by versions that linked a disabled orphan) link nobody: dropped.
  const links = stored.filter((l) => !isOrphanIdentity(l.identityId));
  const rules = target.reconcile?.match ?? [];
  const warnings = unreadRules(target.id, accounts, links, rules);
  const identities = await store.identities.list();
  // Nobody to match the accounts to: refused before anything is written (reconcile/no-identities.ts).
  if (identities.length === 0 && accounts.length > 0) return refused(store, target, accounts.length, now, actor);
  const firstPass = rules.length > 0 && await store.state.get(memoKey(target.id)) === undefined;
  for (const stray of stored) if (isOrphanIdentity(stray.identityId)) await store.accounts.remove(target.id, stray.identityId);
  const hold = vanishedHold(target, links, accounts);
  const keep = hold !== undefined && input.removeVanished !== true;
  // A link whose account the read did not return is asked for by id before it counts as vanished: one written after
  // the list went past its account (another process's create), or an account a paged read missed while it was modified.
  // One found so is still its identity's: another account naming that identity is then disputed, never matched.
  const read = new Set(accounts.map((a) => a.accountId));
  const missing = links.filter((l) => !read.has(l.accountId));
  const gone = new Set((keep ? missing : await stillGone(connector, missing)).map((l) => l.accountId));
  const foundById = new Set(missing.filter((l) => !gone.has(l.accountId)).map((l) => l.accountId));
  const { verdicts, vanished } = correlate({ accounts, identities, links, rules, keepVanished: keep, foundById });
  const at = now.toISOString();
  const byIdentity = new Map(links.map((l) => [l.identityId, l]));

  const writes: LinkedAccount[] = [];
  const audit: AuditEntryInput[] = [];
  const report = {
    matched: [] as { accountId: string; identity: string; rule: string }[], orphans: [] as { accountId: string; key: unknown; disabled?: true }[],
    disputed: [] as ReconcileReport['disputed'][number][], misplaced: [] as NonNullable<ReconcileReport['misplaced']>[number][],
  };
  const readBack = connector.capabilities.readBack;
  const same = connector.sameValue?.bind(connector);
  const secrets = new Set(target.secrets ?? []);
  let linked = 0;
  for (const verdict of verdicts) {
    const key = verdict.account.attributes[target.accountKey];
    switch (verdict.kind) {
      case 'linked': {
        linked += 1;
        const link = byIdentity.get(verdict.identityId);
        if (link === undefined) break;
        // Placement drift (a directory entry moved by hand, where the target enforces placement): recorded, and the next plan moves it back.
        const next = withPlacement(link, refreshed(link, verdict.account, at, { readBack, same, secrets }), verdict.account, connector);
        writes.push(next);
        const misplaced = placementFound(link, next, actor);
        if (misplaced !== undefined) audit.push(misplaced);
        if (next.placement !== undefined) report.misplaced.push({ accountId: next.accountId, identity: next.identityId, at: next.placement.at, belongs: next.placement.belongs });
        break;
      }
      case 'matched':
        writes.push(newLink(target.id, verdict.identityId, verdict.account, at));
        report.matched.push({ accountId: verdict.account.accountId, identity: verdict.identityId, rule: ruleText(verdict) });
        audit.push({ kind: 'account.linked', actor, identity: verdict.identityId, target: target.id, reasons: ['reconcile.matched'], data: { accountId: verdict.account.accountId, rule: ruleText(verdict) } });
        break;
      case 'orphan':
        report.orphans.push({ accountId: verdict.account.accountId, key, ...(verdict.account.enabled ? {} : { disabled: true as const }) });
        break;
      case 'disputed':
        report.disputed.push({ accountId: verdict.account.accountId, key, candidates: verdict.candidates, rule: ruleText(verdict) });
        audit.push({ kind: 'account.disputed', actor, target: target.id, reasons: ['reconcile.disputed'], data: { accountId: verdict.account.accountId, candidates: verdict.candidates } });
        break;
    }
  }
  const vanishedLinks = vanished.map((l) => ({ accountId: l.accountId, identity: l.identityId }));
  if (keep) {
    audit.push({ kind: 'reconcile.vanished_held', actor, target: target.id, reasons: [hold.code], data: { message: hold.message, links: vanishedLinks } });
  } else {
    // Vanished links go first: their identity may just have been matched to another account (same key in the store).
    for (const link of vanished) {
      await store.accounts.remove(target.id, link.identityId);
      audit.push({
        kind: 'account.vanished', actor, identity: link.identityId, target: target.id, reasons: ['reconcile.vanished'],
        data: { accountId: link.accountId, ...(hold !== undefined ? { forced: hold.message } : {}) },
      });
    }
  }
  if (writes.length > 0) await store.accounts.upsertMany(writes);
  // The links again, now: an orphan whose link landed since they were read is a person's fresh account, not an orphan.
  const meanwhile = await linkedSince(store, target.id, report.orphans);
  const linkedMeanwhile = [...meanwhile].map(([accountId, identity]) => ({ accountId, identity }));
  for (const { accountId, identity } of linkedMeanwhile) {
    audit.push({ kind: 'reconcile.orphan_skipped', actor, identity, target: target.id, reasons: ['reconcile.orphan_linked'], data: { accountId, reason: 'linked since the pass read the links' } });
  }
  const orphans = report.orphans.filter((o) => !meanwhile.has(o.accountId));
  const settled = meanwhile.size === 0 ? verdicts : verdicts.filter((v) => v.kind !== 'orphan' || !meanwhile.has(v.account.accountId));
  const short = firstPass && links.length === 0 && report.matched.length === 0 ? shortFirstRead(target, accounts.length) : undefined;
  const createsHeld = input.force === true ? undefined : short;
  await remember(store, target, settled, at, keep ? vanished : [], createsHeld === undefined);
  // A rule no account carries may be why some accounts found nobody: their orphan actions wait until it is fixed (--force does not lift it: reconcile/holds.ts).
  const unread: Hold[] = warnings.length === 0 ? [] : [{
    target: target.id, code: 'reconcile.rule_unread', count: warnings.length, limit: 0,
    message: `${warnings.length === 1 ? 'a match rule' : `${warnings.length} match rules`} of ${target.id} matched on an attribute no account read carries, so orphans may be people the rule should have found: ${warnings.join('; ')}`,
  }];
  // A read too small to remember is too small to act on: its orphans may be what a mistyped base happens to hold (--force accepts both).
  const untrusted: Hold[] = createsHeld === undefined ? [] : [{ target: target.id, code: SHORT_FIRST_READ, count: accounts.length, limit: target.safety.minAccounts, message: `${createsHeld}; its orphan actions wait too` }];
  const basis = await store.state.serial();
  // The entry Roster binds as, when the connector can say (an ldap bind DN's entryUUID): never an orphan to act on.
  const own = await connector.ownAccountId?.().catch(() => undefined);
  const planned = orphanPlan(target, settled, accounts.length, basis, now, [...(keep ? [hold] : []), ...unread, ...untrusted], await queuedOrphans(store, target, settled), own);
  // Orphans may be people whose HR rows the last read skipped: their actions wait (reconcile/source-problems.ts).
  const plan = planned.changes.length === 0 ? planned : withHold(planned, await sourceProblemsHold(store, input.sourceIds, target.id));
  audit.push({
    kind: 'target.reconciled', actor, target: target.id,
    data: {
      accounts: accounts.length, linked, matched: report.matched.length, orphans: orphans.length, disputed: report.disputed.length,
      ...(linkedMeanwhile.length > 0 ? { linkedMeanwhile: linkedMeanwhile.length } : {}),
      vanished: keep ? 0 : vanished.length, vanishedHeld: keep ? vanished.length : 0, planId: plan.id, held: plan.held,
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(createsHeld !== undefined ? { createsHeld } : short !== undefined ? { forced: short } : {}),
    },
  });
  await store.audit.append(audit, { returning: false });
  return {
    target: target.id, accounts: accounts.length, linked, ...report, orphans, linkedMeanwhile,
    vanished: keep ? [] : vanishedLinks, ...(keep ? { vanishedHeld: { hold, links: vanishedLinks } } : {}),
    warnings, ...(createsHeld !== undefined ? { createsHeld } : {}), plan,
  };
}

/**
 * The report of a pass over a store with no identity that read accounts: no
 * link, memo or snapshot written, an orphan plan with no change held by the
 * reason (saved like any pass's), and `createsHeld` saying what to do.
 */
async function refused(store: Store, target: TargetConfig, read: number, now: Date, actor: string): Promise<ReconcileReport> {
  const hold = noIdentitiesHold(target, read);
  const plan: Plan = { id: randomUUID(), createdAt: now.toISOString(), basis: await store.state.serial(), changes: [], summary: {}, held: true, holds: [hold], diagnostics: [] };
  await store.audit.append([{
    kind: 'target.reconciled', actor, target: target.id, reasons: [NO_IDENTITIES],
    data: { accounts: read, linked: 0, matched: 0, orphans: 0, disputed: 0, vanished: 0, vanishedHeld: 0, planId: plan.id, held: true, createsHeld: hold.message },
  }], { returning: false });
  return { target: target.id, accounts: read, linked: 0, matched: [], orphans: [], linkedMeanwhile: [], disputed: [], vanished: [], warnings: [], createsHeld: hold.message, plan };
}

/** The hold of a short first read's orphan actions (shortFirstRead); `--force` accepts the read and lifts it. */
const SHORT_FIRST_READ = 'reconcile.short_first_read';

/**
 * A first pass (no memo, so the target's creates are held) whose read is
 * smaller than `safety.minAccounts` and that linked nobody: an empty new
 * directory, or a search base that misses the people who are there. Only the
 * operator can tell: said, and undefined when the read is big enough (or
 * minAccounts is 0).
 */
function shortFirstRead(target: TargetConfig, read: number): string | undefined {
  const { minAccounts } = target.safety;
  if (minAccounts === 0 || read >= minAccounts) return undefined;
  const users = target.connection['users'];
  const base = (typeof users === 'object' && users !== null ? (users as Record<string, unknown>)['base'] : undefined) ?? target.connection['base'];
  const where = typeof base === 'string' ? `under ${base}` : `from ${target.id}`;
  return `${target.id}: read ${read} ${read === 1 ? 'account' : 'accounts'} ${where}, fewer than safety.minAccounts (${minAccounts}), and linked none; `
    + `creates in ${target.id} stay held: if the directory already has people, check connection.base / users.base; run again with --force to accept an empty directory`;
}

/**
 * The memo plans read (held names, open disputes; its presence lets the
 * target's creates go ahead, so it is written only when `open`) and the
 * unlinked accounts `reconcile --link` may link; kept links still link their identity.
 */
async function remember(store: Store, target: TargetConfig, verdicts: readonly Verdict[], at: string, kept: readonly LinkedAccount[], open: boolean): Promise<void> {
  const linked = new Set<string>(kept.map((l) => l.identityId));
  const unlinked: TargetAccount[] = [];
  for (const v of verdicts) {
    if (v.kind === 'linked' || v.kind === 'matched') linked.add(v.identityId);
    else unlinked.push(v.account);
  }
  if (open) await store.state.set(memoKey(target.id), memoOf(verdicts, uniqueAttributesOf(target), linked, at, target.reconcile?.match ?? []));
  await store.state.set(unlinkedKey(target.id), { at, accounts: unlinked } satisfies UnlinkedAccounts);
}

/**
 * The link as the target has it now. For an attribute of the link in
 * `readBack` the read is the truth: a value there is taken, its absence means
 * cleared (the next plan writes it back). Any other attribute (write-only, or a connector that does
 * not say) takes the value read when there is one and otherwise keeps what
 * Roster wrote; a `dn` the mappings give is where the entry is: kept, as is
 * a secret attribute's fingerprint (TargetConfig.secrets). A
 * value the connector says stands for the one written (Connector.sameValue)
 * keeps the written form.
 */
function refreshed(
  link: LinkedAccount, account: TargetAccount, at: string,
  { readBack, same, secrets }: { readonly readBack: ReadonlySet<string> | undefined; readonly same: Connector['sameValue']; readonly secrets: ReadonlySet<string> },
): LinkedAccount {
  const wasEnabled = link.enabled;
  // A disabled account may hold fewer groups than its link on purpose (the
  // strip-groups strategy): the link's list is what enable gives back, so a
  // reconcile pass must not forget it. What the target holds beyond it counts too.
  const entitlements = !wasEnabled && !account.enabled
    ? [...new Set([...link.entitlements, ...account.entitlements])].sort()
    : account.entitlements;
  const attributes: Record<string, unknown> = {};
  // Only what the link holds: an attribute Roster writes as null is not there, and a value the target holds
  // for it may be one the connector filled in itself on create (users.defaults), not a change by hand. A
  // mapping that means "no value, and keep it so" gives "" (which the link keeps).
  for (const [name, written] of Object.entries(link.attributes)) {
    // A secret's link value is its fingerprint; what the target holds (the value, a hash of it) is never taken.
    if (name === 'dn' || secrets.has(name)) {
      attributes[name] = written;
      continue;
    }
    // A reference Roster wrote by object id (`<GUID=…>`, which AD reads back as the DN) is compared with the
    // same form of what the target holds (`references`); where the target cannot say, it stays as written.
    const held = isObjectReference(written) ? account.references?.[name] ?? (name in account.attributes ? written : undefined) : account.attributes[name];
    // The target's own form of the value Roster wrote (see Connector.sameValue) is no change.
    if (held !== undefined) attributes[name] = same?.(name, written, held) === true ? written : held;
    // Nothing read where Roster wrote "none" (`""`: an employee's accountExpires) is that same none: kept, so a
    // value set there by hand later is read into the link and the next plan clears it.
    else if (written !== undefined && (readBack?.has(name) !== true || written === '')) attributes[name] = written;
  }
  // A membership the link did not list was added in the target by hand: not granted by Roster (reconcile/not-granted.ts).
  return withNotGranted({
    ...link,
    accountId: account.accountId,
    attributes,
    entitlements,
    enabled: account.enabled,
    updatedAt: at,
    ...(wasEnabled && !account.enabled ? { disabledAt: at } : {}),
  }, notGrantedAfterRead(link, entitlements));
}



function ruleText(verdict: Extract<Verdict, { kind: 'matched' | 'disputed' }>): string {
  return `${verdict.rule.account} = identity.${verdict.rule.identity}`;
}

/**
 * What earlier plans (an earlier pass's, while the target is quarantined or
 * its queue drains) still have queued for these orphans' accounts: their
 * equal orphan actions are left out, as a plan leaves out its (planner/queued.ts).
 */
async function queuedOrphans(store: Store, target: TargetConfig, verdicts: readonly Verdict[]): Promise<QueuedChanges> {
  if ((target.reconcile?.orphans ?? 'report') === 'report') return new QueuedChanges([]);
  const keys = verdicts.flatMap((v) => (v.kind === 'orphan' ? [`${target.id}:${orphanIdentity(v.account.accountId)}`] : []));
  const waiting = await store.queue.unfinishedChanges({ orderingKeys: keys });
  if (waiting.length === 0) return new QueuedChanges([]);
  const record = await store.state.get<QuarantineRecord | null>(quarantineKey(target.id));
  return new QueuedChanges(waiting, new Set(record !== undefined && record !== null ? [target.id] : []));
}

/**
 * The orphan actions, without those `queued` already (noted in the plan's
 * diagnostics), behind the target's safety limits and `extra` holds (a short
 * read: its orphans are not to be trusted).
 */
function orphanPlan(target: TargetConfig, verdicts: readonly Verdict[], total: number, basis: number, now: Date, extra: readonly Hold[], queued: QueuedChanges, own?: string): Plan {
  const action = target.reconcile?.orphans ?? 'report';
  const planned: Change[] = [];
  const spared: Diagnostic[] = [];
  if (action !== 'report') {
    const byName = bindAccountTest(target);
    const isBindAccount = (account: TargetAccount): boolean => byName(account) || (own !== undefined && account.accountId.toLowerCase() === own);
    for (const v of verdicts) {
      if (v.kind !== 'orphan' || (action === 'disable' && !v.account.enabled)) continue;
      // Roster's own bind account: acting on it would lock every later run out (reconcile/bind-account.ts).
      if (isBindAccount(v.account)) {
        spared.push({ severity: 'warning', code: 'reconcile.bind_account', target: target.id, message: `${target.id}: the orphan ${String(v.account.attributes[target.accountKey] ?? v.account.accountId)} `
          + `(${v.account.accountId}) looks like the account Roster binds as (connection.bindDN): no ${action} is planned for it; move it out of the users' base, or leave it` });
        continue;
      }
      const identity = orphanIdentity(v.account.accountId);
      planned.push({
        id: `${target.id}:${identity}:${action}`, identity, target: target.id, action,
        before: { accountId: v.account.accountId, enabled: v.account.enabled, attributes: v.account.attributes },
        after: action === 'disable' ? { accountId: v.account.accountId, enabled: false } : null,
        reasons: [`reconcile.orphan.${action}`],
      });
    }
  }
  const { changes, diagnostics } = withoutQueued(planned, queued);
  const holds: Hold[] = [...extra, ...safetyHolds(changes, [target], new Map([[target.id, total]]))];
  const summary = summaryOf(changes);
  return { id: randomUUID(), createdAt: now.toISOString(), basis, changes, summary, held: holds.length > 0, holds, diagnostics: [...spared, ...diagnostics] };
}

function withoutAttributes(account: TargetAccount, names: readonly string[]): TargetAccount {
  if (!names.some((name) => Object.hasOwn(account.attributes, name))) return account;
  const attributes = { ...account.attributes };
  for (const name of names) delete attributes[name];
  return { ...account, attributes };
}

/** Of these orphans, those whose account a link of the target holds now: account id → identity. */
async function linkedSince(store: Store, target: string, orphans: readonly { readonly accountId: string }[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (orphans.length === 0) return found;
  // The orphans' accounts alone (one read), not every link of the target again.
  for (const link of await store.accounts.listByAccountIds(target, orphans.map((o) => o.accountId))) found.set(link.accountId, link.identityId);
  return found;
}

/** Lookups of vanished links under way at once: a few per pooled connection, not one round trip after another. */
const GONE_LOOKUPS = 8;

/** The links whose account the target does not have when asked for it by id. */
async function stillGone(connector: Connector, links: readonly LinkedAccount[]): Promise<LinkedAccount[]> {
  const found = await mapLimited(links, GONE_LOOKUPS, async (link) => await connector.get(link.accountId) !== undefined);
  return links.filter((_, i) => !found[i]);
}
