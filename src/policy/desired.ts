import type { CelVars } from '../cel/index.js';
import { isRosterError, type RosterError } from '../core/errors.js';
import type { DesiredAccount, Explanation, Identity, LifecycleState } from '../core/types.js';
import { effectiveState } from '../lifecycle/state.js';
import { isContractor } from '../lifecycle/record.js';
import { mapAttributes } from './attributes.js';
import type { CompiledPolicy, CompiledRole, CompiledTarget } from './compile.js';
import { decideLifecycle, decideScopeRemoved, type AccountDecision, type LifecycleFacts } from './lifecycle-rules.js';
import { DISPUTED_REASON } from './reasons.js';
import type { PolicyContext } from './types.js';

const NONE: readonly string[] = Object.freeze([]);
const EMPTY = Object.freeze({});

/** Per-identity evaluation state shared by all targets (roles are evaluated once). */
interface Evaluation {
  readonly identity: Identity;
  readonly state: LifecycleState;
  readonly vars: CelVars;
  readonly ctx: PolicyContext;
  readonly contractor: boolean;
  readonly prehireLeadDays: number;
  readonly prehireEntitlements: boolean;
  readonly now: number;
  readonly explain: boolean;
  readonly timezone: string;
  readonly roles: (boolean | RosterError | undefined)[];
}

function roleHolds(e: Evaluation, role: CompiledRole): boolean {
  if (role.always) return true;
  let outcome = e.roles[role.index];
  if (outcome === undefined) {
    try {
      outcome = role.when.evaluate(e.vars);
    } catch (error) {
      if (!isRosterError(error, 'expression.failed')) throw error;
      outcome = error;
    }
    e.roles[role.index] = outcome;
  }
  if (typeof outcome !== 'boolean') throw outcome;
  return outcome;
}

function holdsForExplanation(e: Evaluation, role: CompiledRole): boolean {
  try {
    return roleHolds(e, role);
  } catch (error) {
    if (!isRosterError(error, 'expression.failed')) throw error;
    return false;
  }
}

function entitlementsIn(e: Evaluation, target: CompiledTarget, explanations: Explanation[] | undefined): string[] {
  const granted: string[] = [];
  for (const source of target.entitlements) {
    let given = false;
    for (const { role, explanation } of source.roles) {
      if (given) {
        // Explanations only: the plan does not evaluate a role once another gives the entitlement, so its failure here changes nothing.
        if (holdsForExplanation(e, role)) explanations?.push(explanation);
        continue;
      }
      if (!roleHolds(e, role)) continue;
      given = true;
      if (!explanations) break;
      explanations.push(explanation);
    }
    if (given) granted.push(source.entitlement);
  }
  return granted;
}

/**
 * An expression failed: leave the account as linked rather than guess, except
 * for what the lifecycle alone takes away (it reads no expression): a leaver
 * or someone on leave is still disabled and loses every entitlement.
 */
function unchanged(e: Evaluation, target: CompiledTarget, error: RosterError, lifecycle: AccountDecision): DesiredAccount {
  const id = target.config.id;
  const link = e.ctx.linked.get(id);
  const given = error.details?.diagnostic;
  const code = typeof given === 'string' ? given : 'expression.failed';
  e.ctx.diagnostics?.push({ severity: 'error', code, message: error.message, identity: e.identity.id, target: id });
  const restricts = (link?.enabled === true && !lifecycle.enabled) || (!lifecycle.entitlements && (link?.entitlements.length ?? 0) > 0);
  return {
    target: id, identityId: e.identity.id, present: link !== undefined, enabled: (link?.enabled ?? false) && lifecycle.enabled,
    attributes: link?.attributes ?? EMPTY, entitlements: lifecycle.entitlements ? (link?.entitlements ?? NONE) : NONE,
    reasons: restricts ? [code, ...lifecycle.reasons] : [code],
    undecided: true,
    explanations: [{
      subject: 'account', rule: `scope:${id}`,
      detail: `${code === 'expression.failed' ? 'an expression failed for this identity' : code}, the account is left as it is${restricts ? ` (but ${lifecycle.reasons.join(', ')})` : ''}: ${error.message}`,
    }],
  };
}

const NO_EXPLANATIONS: readonly Explanation[] = Object.freeze([]);

function desiredIn(e: Evaluation, target: CompiledTarget): DesiredAccount {
  const link = e.ctx.linked.get(target.config.id);
  const facts: LifecycleFacts = {
    identity: e.identity, state: e.state, target: target.config, link, now: e.now,
    prehireLeadDays: e.prehireLeadDays, prehireEntitlements: e.prehireEntitlements, contractor: e.contractor, explain: e.explain, timezone: e.timezone,
  };
  const lifecycle = decideLifecycle(facts);
  // A new account's names are claimed only if its create is planned: a failure below releases them.
  const recording = link === undefined && lifecycle.present;
  if (recording) e.ctx.unique.begin();
  try {
    const account = decided(e, target, facts, lifecycle);
    if (recording) e.ctx.unique.commit();
    return account;
  } catch (error) {
    if (recording) e.ctx.unique.rollback();
    if (!isRosterError(error, 'expression.failed')) throw error;
    return unchanged(e, target, error, lifecycle);
  }
}

/** The desired account from the lifecycle's decision, scope, mappings and roles (throws when an expression fails). */
function decided(e: Evaluation, target: CompiledTarget, facts: LifecycleFacts, lifecycle: AccountDecision): DesiredAccount {
  const id = target.config.id;
  const identityId = e.identity.id;
  const { link } = facts;
  let decision: AccountDecision = lifecycle;
  if (lifecycle.present && !target.scopeAlways && !target.scope.evaluate(e.vars)) {
    decision = decideScopeRemoved(facts, target.config.scope, lifecycle);
  }
  const explanations: Explanation[] | undefined = e.explain ? [
    decision === lifecycle && decision.present ? target.inScope : { subject: 'account', rule: decision.rule, detail: decision.detail },
    { subject: 'state', rule: lifecycle.rule, detail: lifecycle.detail },
  ] : undefined;
  const { present, enabled, reasons } = decision;
  if (!present) {
    return { target: id, identityId, present, enabled, reasons, attributes: EMPTY, entitlements: NONE, explanations: explanations ?? NO_EXPLANATIONS };
  }
  const disputed = link === undefined ? e.ctx.disputed?.(id, identityId) : undefined;
  if (disputed !== undefined) return heldByDispute(e, id, decision, disputedMessage(identityId, id, disputed), explanations);
  const orphaned = link === undefined ? e.ctx.orphaned?.(id, e.identity) : undefined;
  if (orphaned !== undefined) return heldByDispute(e, id, decision, orphanedMessage(identityId, id, orphaned), explanations);
  const attributes = decision.mapAttributes
    ? mapAttributes(target, identityId, target.usesManagerAccount ? withManagerAccount(e, id) : e.vars, link, e.ctx.unique, explanations, e.ctx.diagnostics)
    : keptAttributes(link?.attributes ?? EMPTY, decision, explanations);
  const entitlements = decision.entitlements ? entitlementsIn(e, target, explanations) : NONE;
  const account: DesiredAccount = { target: id, identityId, present, enabled, reasons, attributes, entitlements, explanations: explanations ?? NO_EXPLANATIONS };
  // Credentials from a former employment (lifecycle-rules.ts renewed): the planner's enable sets new ones.
  return decision.newEmploymentSince === undefined ? account : { ...account, newEmploymentSince: decision.newEmploymentSince };
}

/**
 * A leaver's account keeps the values it has (its mappings are not applied):
 * each attribute is explained by the lifecycle decision that keeps it, so
 * `explain` does not leave its rule blank. The value is not quoted (explain
 * shows it; a secret's would be in clear here).
 */
function keptAttributes(attributes: Readonly<Record<string, unknown>>, decision: AccountDecision, explanations: Explanation[] | undefined): Readonly<Record<string, unknown>> {
  if (explanations === undefined) return attributes;
  const detail = `kept as it is: a leaver's account is not updated (${decision.reasons[0] ?? 'leaver'})`;
  for (const name of Object.keys(attributes)) explanations.push({ subject: `attribute:${name}`, rule: decision.rule, detail });
  return attributes;
}

/** The variables of a target's mappings that read `managerAccount`: the manager's account in that target. */
function withManagerAccount(e: Evaluation, target: string): CelVars {
  const account = e.ctx.manager === undefined ? undefined : e.ctx.managerLinks?.get(target);
  return {
    ...e.vars,
    managerAccount: account === undefined ? null : { id: account.accountId, attributes: account.attributes, enabled: account.enabled },
  };
}

/**
 * Policy wants an account, but the target already has accounts that name
 * this identity alone and are disputed (or an orphan of the last pass that
 * matches them, orphaned): no name is chosen and no create is
 * planned (the planner skips DISPUTED_REASON), so the person does not end up
 * with one more account; linking one of them settles it.
 */
function heldByDispute(e: Evaluation, target: string, decision: AccountDecision, message: string, explanations: Explanation[] | undefined): DesiredAccount {
  const identityId = e.identity.id;
  e.ctx.diagnostics?.push({ severity: 'warning', code: DISPUTED_REASON, message, identity: identityId, target });
  explanations?.push({ subject: 'account', rule: `reconcile:${target}`, detail: message });
  return {
    target, identityId, present: true, enabled: decision.enabled, reasons: [...decision.reasons, DISPUTED_REASON],
    attributes: EMPTY, entitlements: NONE, explanations: explanations ?? NO_EXPLANATIONS,
  };
}

function disputedMessage(identityId: string, target: string, accounts: readonly string[]): string {
  return `${identityId} already has ${accounts.length === 1 ? 'an account' : `${accounts.length} accounts`} in ${target} that reconcile found disputed ` +
    `(${accounts.join(', ')}); no account is created until one is linked: roster reconcile --link ${target} ${identityId} <accountId>`;
}

/** An orphan of the last pass names this person (they appeared since): the next pass links it, or says why not. */
function orphanedMessage(identityId: string, target: string, { rule, value }: { readonly rule: string; readonly value: string }): string {
  return `${identityId} matches an account in ${target} that the last reconcile found linked to nobody (by ${rule}: ${value}); ` +
    `no account is created until a pass links it: roster reconcile --target ${target}`;
}

/** Desired accounts of one identity, one per target in config order. */
export function desiredAccounts(policy: CompiledPolicy, identity: Identity, ctx: PolicyContext): DesiredAccount[] {
  const source = policy.sources.get(identity.sourceId);
  const e: Evaluation = {
    identity,
    state: effectiveState(identity, ctx.now),
    vars: { identity: identity.attributes, manager: ctx.manager?.attributes ?? null, now: ctx.now },
    ctx,
    contractor: source !== undefined && isContractor(identity.attributes, source),
    prehireLeadDays: policy.config.lifecycle.prehireLeadDays,
    prehireEntitlements: policy.config.lifecycle.prehireEntitlements ?? true,
    now: ctx.now.getTime(),
    explain: ctx.explain ?? true,
    timezone: policy.config.lifecycle.timezone,
    roles: new Array<boolean | RosterError | undefined>(policy.roles.length),
  };
  const out: DesiredAccount[] = [];
  for (const target of policy.targets) out.push(desiredIn(e, target));
  return out;
}
