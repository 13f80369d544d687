import type { RosterConfig } from '../config/types.js';
import { compileConfig, readsManagerAccount } from './compile.js';
import { desiredAccounts } from './desired.js';
import { managerAccountReads } from './manager-account-reads.js';
import type { Policy } from './types.js';

export type { Policy, PolicyContext } from './types.js';
export type { ManagerAccountReads } from './manager-account-reads.js';
export { UniqueIndex, uniqueAttributesOf, isUniqueMapping, type HeldValues } from './unique.js';
export { DISPUTED_REASON } from './reasons.js';
export type { AccountDecision } from './lifecycle-rules.js';

/**
 * Compile the policy of a config: every CEL expression is compiled once.
 * Throws RosterError('config.invalid') for an expression that does not compile.
 */
export function compilePolicy(config: RosterConfig): Policy {
  const compiled = compileConfig(config);
  return {
    desired: (identity, ctx) => desiredAccounts(compiled, identity, ctx),
    usesManagerAccount: compiled.targets.some((target) => target.usesManagerAccount),
    managerAccountAttributes: new Map(compiled.targets.filter((target) => target.usesManagerAccount).map((target) => [
      target.config.id, new Set(Object.entries(target.config.attributes).filter(([, source]) => readsManagerAccount(source)).map(([name]) => name)),
    ])),
    managerAccountReads: new Map(compiled.targets.filter((target) => target.usesManagerAccount).map((target) => [
      target.config.id, managerAccountReads(Object.values(target.config.attributes)),
    ])),
  };
}

/** Identity ids in the order policy must see them (unique names are claimed in this order). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
