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

function entitlementsIn(e: Evaluation, target: CompiledTarget, explanations: Explanation[] | undefined): string[] {
  const granted: string[] = [];
  for (const source of target.entitlements) {
    let given = false;
    for (const { role, explanation } of source.roles) {
      if (!roleHolds(e, role)) continue;
      given = true;
      if (!explanations) break;
      explanations.push(explanation);
    }
    if (given) granted.push(source.entitlement);
  }
  return granted;
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

const NO_EXPLANATIONS: readonly Explanation[] = Object.freeze([]);

function desiredIn(e: Evaluation, target: CompiledTarget): DesiredAccount {
  const id = target.config.id;
  const identityId = e.identity.id;
  const link = e.ctx.linked.get(id);
  const facts: LifecycleFacts = {
    identity: e.identity, state: e.state, target: target.config, link, now: e.now,
    prehireLeadDays: e.prehireLeadDays, contractor: e.contractor, explain: e.explain, timezone: e.timezone,
  };
  const lifecycle = decideLifecycle(facts);
  try {
    let decision: AccountDecision = lifecycle;
    if (lifecycle.present && !target.scopeAlways && !target.scope.evaluate(e.vars)) {
      decision = decideScopeRemoved(facts, target.config.scope);
    }
    const explanations: Explanation[] | undefined = e.explain ? [
      decision === lifecycle && decision.present ? target.inScope : { subject: 'account', rule: decision.rule, detail: decision.detail },
      { subject: 'state', rule: lifecycle.rule, detail: lifecycle.detail },
    ] : undefined;
    const { present, enabled, reasons } = decision;
    if (!present) {
      return { target: id, identityId, present, enabled, reasons, attributes: EMPTY, entitlements: NONE, explanations: explanations ?? NO_EXPLANATIONS };
    }
    const attributes = decision.mapAttributes
      ? mapAttributes(target, identityId, e.vars, link, e.ctx.unique, explanations)
      : (link?.attributes ?? EMPTY);
    const entitlements = decision.entitlements ? entitlementsIn(e, target, explanations) : NONE;
    return { target: id, identityId, present, enabled, reasons, attributes, entitlements, explanations: explanations ?? NO_EXPLANATIONS };
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
    now: ctx.now.getTime(),
    explain: ctx.explain ?? true,
    timezone: policy.config.lifecycle.timezone,
    roles: new Array<boolean | RosterError | undefined>(policy.roles.length),
  };
  const out: DesiredAccount[] = [];
  for (const target of policy.targets) out.push(desiredIn(e, target));
  return out;
}
