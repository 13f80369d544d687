import type { CelVars } from '../cel/index.js';
import { isRosterError, type RosterError } from '../core/errors.js';
import type { DesiredAccount, Explanation, Identity, LifecycleState } from '../core/types.js';
import { effectiveState } from '../lifecycle/state.js';
import { isContractor } from '../lifecycle/record.js';
import { mapAttributes } from './attributes.js';
import type { CompiledPolicy, CompiledRole, CompiledTarget } from './compile.js';
import { decideLifecycle, decideScopeRemoved, type AccountDecision, type LifecycleFacts } from './lifecycle-rules.js';
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

function entitlementsIn(e: Evaluation, target: CompiledTarget, explanations: Explanation[]): string[] {
  const granted: string[] = [];
  for (const grant of target.grants) {
    if (!roleHolds(e, grant.role)) continue;
    for (const entitlement of grant.entitlements) {
      if (!granted.includes(entitlement)) granted.push(entitlement);
      explanations.push(grant.explanations.get(entitlement) as Explanation);
    }
  }
  return granted.length > 1 ? granted.sort() : granted;
}

/** An expression failed: leave the account as linked rather than guess. */
function unchanged(e: Evaluation, target: CompiledTarget, error: RosterError): DesiredAccount {
  const id = target.config.id;
  const link = e.ctx.linked.get(id);
  e.ctx.diagnostics?.push({ severity: 'error', code: 'expression.failed', message: error.message, identity: e.identity.id, target: id });
  return {
    target: id, identityId: e.identity.id, present: link !== undefined, enabled: link?.enabled ?? false,
    attributes: link?.attributes ?? EMPTY, entitlements: link?.entitlements ?? NONE, reasons: ['expression.failed'],
    explanations: [{ subject: 'account', rule: `scope:${id}`, detail: `an expression failed for this identity, the account is left as it is: ${error.message}` }],
  };
}

function desiredIn(e: Evaluation, target: CompiledTarget): DesiredAccount {
  const id = target.config.id;
  const link = e.ctx.linked.get(id);
  const facts: LifecycleFacts = {
    identity: e.identity, state: e.state, target: target.config, link, now: e.ctx.now.getTime(),
    prehireLeadDays: e.prehireLeadDays, contractor: e.contractor,
  };
  const lifecycle = decideLifecycle(facts);
  const stateExplanation: Explanation = { subject: 'state', rule: lifecycle.rule, detail: lifecycle.detail };
  try {
    let decision: AccountDecision = lifecycle;
    let account: Explanation = target.inScope;
    if (lifecycle.present && !target.scopeAlways && !target.scope.evaluate(e.vars)) {
      decision = decideScopeRemoved(facts, target.config.scope);
    }
    if (decision !== lifecycle || !decision.present) account = { subject: 'account', rule: decision.rule, detail: decision.detail };
    const base = { target: id, identityId: e.identity.id, present: decision.present, enabled: decision.enabled, reasons: decision.reasons };
    if (!decision.present) return { ...base, attributes: EMPTY, entitlements: NONE, explanations: [account, stateExplanation] };
    const explanations: Explanation[] = [account, stateExplanation];
    const attributes = decision.mapAttributes
      ? mapAttributes(target, e.identity.id, e.vars, link, e.ctx.unique, explanations)
      : (link?.attributes ?? EMPTY);
    const entitlements = decision.entitlements ? entitlementsIn(e, target, explanations) : NONE;
    return { ...base, attributes, entitlements, explanations };
  } catch (error) {
    if (!isRosterError(error, 'expression.failed')) throw error;
    return unchanged(e, target, error);
  }
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
    roles: new Array<boolean | RosterError | undefined>(policy.roles.length),
  };
  const out: DesiredAccount[] = [];
  for (const target of policy.targets) out.push(desiredIn(e, target));
  return out;
}
