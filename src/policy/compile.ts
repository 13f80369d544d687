import { compileCondition, compileMapping, type CompiledExpression, type MappingValue } from '../cel/index.js';
import type { RoleConfig, RosterConfig, SourceConfig, TargetConfig } from '../config/types.js';
import type { Explanation } from '../core/types.js';
import { entitlementKey } from '../planner/normalise.js';
import { fastCondition, fastMapping } from './fast-path.js';
import { isUniqueMapping, uniqueAttributesOf } from './unique.js';

export interface CompiledMapping {
  readonly name: string;
  readonly expression: CompiledExpression<MappingValue>;
  /** Uses unique([...]): an account's existing value is kept. */
  readonly unique: boolean;
  /** The value must be unique in the target (claimed in the UniqueIndex). */
  readonly claims: boolean;
  readonly rule: string;
}

export interface CompiledRole {
  readonly index: number;
  readonly config: RoleConfig;
  readonly when: CompiledExpression<boolean>;
  /** Always true (`when: "true"`): no evaluation needed. */
  readonly always: boolean;
}

/** One entitlement of a target and the roles that grant it (shared explanations per role). */
export interface EntitlementSource {
  readonly entitlement: string;
  readonly roles: readonly { readonly role: CompiledRole; readonly explanation: Explanation }[];
}

export interface CompiledTarget {
  readonly config: TargetConfig;
  readonly scope: CompiledExpression<boolean>;
  readonly scopeAlways: boolean;
  readonly inScope: Explanation;
  readonly mappings: readonly CompiledMapping[];
  /** Some mapping reads `managerAccount`: only then is it looked up (per identity and target). */
  readonly usesManagerAccount: boolean;
  /** Every entitlement roles grant here, sorted: desired entitlements come out sorted and unique. */
  readonly entitlements: readonly EntitlementSource[];
}

export interface CompiledPolicy {
  readonly config: RosterConfig;
  readonly targets: readonly CompiledTarget[];
  readonly roles: readonly CompiledRole[];
  readonly sources: ReadonlyMap<string, SourceConfig>;
}

const ALWAYS = /^\s*true\s*$/;

function roleDetail(role: RoleConfig): string {
  const about = role.description === undefined ? '' : ` (${role.description})`;
  return ALWAYS.test(role.when) ? `birthright role ${role.id}${about}: granted to everyone in scope`
    : `role ${role.id}${about}: \`${role.when}\` is true`;
}

function compileTarget(target: TargetConfig, roles: readonly CompiledRole[]): CompiledTarget {
  const claimed = new Set(uniqueAttributesOf(target));
  const mappings = Object.entries(target.attributes).map(([name, source]) => ({
    name,
    expression: fastMapping(compileMapping(source, `target ${target.id} attribute ${name}`)),
    unique: isUniqueMapping(source),
    claims: claimed.has(name),
    rule: `mapping:${target.id}.${name}`,
  }));
  // One entitlement however roles spell it (`CN=Eng,OU=G` and `cn=eng, ou=g` are one group): the first spelling names it.
  const spelling = new Map<string, string>();
  const sources = new Map<string, { role: CompiledRole; explanation: Explanation }[]>();
  for (const role of roles) {
    const detail = roleDetail(role.config);
    for (const given of new Set(role.config.grants[target.id] ?? [])) {
      const key = entitlementKey(given);
      let entitlement = spelling.get(key);
      if (entitlement === undefined) spelling.set(key, (entitlement = given));
      let list = sources.get(entitlement);
      if (!list) sources.set(entitlement, (list = []));
      if (list.some((source) => source.role === role)) continue;
      list.push({ role, explanation: Object.freeze({ subject: `entitlement:${entitlement}`, rule: `role:${role.config.id}`, detail }) });
    }
  }
  const entitlements = [...sources.keys()].sort().map((entitlement) => ({ entitlement, roles: sources.get(entitlement) ?? [] }));
  return {
    config: target,
    scope: fastCondition(compileCondition(target.scope, `target ${target.id} scope`)),
    scopeAlways: ALWAYS.test(target.scope),
    inScope: Object.freeze({
      subject: 'account', rule: `scope:${target.id}`,
      detail: ALWAYS.test(target.scope) ? `target ${target.id} applies to everyone` : `in scope: \`${target.scope}\` is true`,
    }),
    mappings,
    usesManagerAccount: Object.values(target.attributes).some(readsManagerAccount),
    entitlements,
  };
}

/** Whether an attribute mapping's expression reads `managerAccount` (the manager's account in the target). */
export function readsManagerAccount(source: string): boolean {
  return /\bmanagerAccount\b/.test(source);
}

/** Compile every expression of the config once. Throws RosterError('config.invalid') for a bad expression. */
export function compileConfig(config: RosterConfig): CompiledPolicy {
  const roles = config.roles.map((role, index) => ({
    index, config: role, when: fastCondition(compileCondition(role.when, `role ${role.id}`)), always: ALWAYS.test(role.when),
  }));
  return {
    config,
    roles,
    targets: config.targets.map((t) => compileTarget(t, roles)),
    sources: new Map(config.sources.map((s) => [s.id, s])),
  };
}
