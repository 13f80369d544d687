import { compileCondition, compileMapping, type CompiledExpression, type MappingValue } from '../cel/index.js';
import type { RoleConfig, RosterConfig, SourceConfig, TargetConfig } from '../config/types.js';
import type { Explanation } from '../core/types.js';
import { isUniqueMapping } from './unique.js';

export interface CompiledMapping {
  readonly name: string;
  readonly expression: CompiledExpression<MappingValue>;
  /** Uses unique([...]): an account's existing value is kept. */
  readonly unique: boolean;
  readonly rule: string;
}

export interface CompiledRole {
  readonly index: number;
  readonly config: RoleConfig;
  readonly when: CompiledExpression<boolean>;
  /** Always true (`when: "true"`): no evaluation needed. */
  readonly always: boolean;
}

export interface RoleGrant {
  readonly role: CompiledRole;
  readonly entitlements: readonly string[];
  /** One shared explanation per entitlement this role grants here. */
  readonly explanations: ReadonlyMap<string, Explanation>;
}

export interface CompiledTarget {
  readonly config: TargetConfig;
  readonly scope: CompiledExpression<boolean>;
  readonly scopeAlways: boolean;
  readonly inScope: Explanation;
  readonly mappings: readonly CompiledMapping[];
  readonly grants: readonly RoleGrant[];
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
  const mappings = Object.entries(target.attributes).map(([name, source]) => ({
    name,
    expression: compileMapping(source, `target ${target.id} attribute ${name}`),
    unique: isUniqueMapping(source),
    rule: `mapping:${target.id}.${name}`,
  }));
  const grants: RoleGrant[] = [];
  for (const role of roles) {
    const entitlements = role.config.grants[target.id];
    if (!entitlements || entitlements.length === 0) continue;
    const detail = roleDetail(role.config);
    const explanations = new Map(entitlements.map((e) => [e, Object.freeze({ subject: `entitlement:${e}`, rule: `role:${role.config.id}`, detail })]));
    grants.push({ role, entitlements: [...new Set(entitlements)], explanations });
  }
  return {
    config: target,
    scope: compileCondition(target.scope, `target ${target.id} scope`),
    scopeAlways: ALWAYS.test(target.scope),
    inScope: Object.freeze({
      subject: 'account', rule: `scope:${target.id}`,
      detail: ALWAYS.test(target.scope) ? `target ${target.id} applies to everyone` : `in scope: \`${target.scope}\` is true`,
    }),
    mappings,
    grants,
  };
}

/** Compile every expression of the config once. Throws RosterError('config.invalid') for a bad expression. */
export function compileConfig(config: RosterConfig): CompiledPolicy {
  const roles = config.roles.map((role, index) => ({
    index, config: role, when: compileCondition(role.when, `role ${role.id}`), always: ALWAYS.test(role.when),
  }));
  return {
    config,
    roles,
    targets: config.targets.map((t) => compileTarget(t, roles)),
    sources: new Map(config.sources.map((s) => [s.id, s])),
  };
}
