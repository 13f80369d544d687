import type { DesiredAccount, Diagnostic, Identity, LinkedAccount } from '../core/types.js';
import type { UniqueIndex } from './unique.js';
import type { ManagerAccountReads } from './manager-account-reads.js';

export interface PolicyContext {
  readonly now: Date;
  /** This identity's accounts by target id (a Map, or anything that answers `get`). */
  readonly linked: Pick<ReadonlyMap<string, LinkedAccount>, 'get'>;
  /** The identity's manager, when known (the `manager` variable in expressions). */
  readonly manager?: Identity;
  /** The manager's accounts by target (the `managerAccount` variable of attribute mappings). */
  readonly managerLinks?: Pick<ReadonlyMap<string, LinkedAccount>, 'get'>;
  /** Values taken per target and attribute; new values are claimed in it. */
  readonly unique: UniqueIndex;
  /**
   * Accounts the last reconcile found disputed that name this identity alone
   * in a target (undefined: none). Such an identity gets no new account there
   * until an admin links one of them (it already has one, we cannot tell which).
   */
  readonly disputed?: (target: string, identityId: string) => readonly string[] | undefined;
  /**
   * Orphans of the last reconcile that this identity (linked to none in the
   * target) matches by the target's match rules: a person who appeared since
   * (a late HR row) and already has that account. No create until a pass links it.
   */
  readonly orphaned?: (target: string, identity: Identity) => { readonly rule: string; readonly value: string } | undefined;
  /** Expression failures (and held creates) are pushed here (one per identity and target). */
  readonly diagnostics?: Diagnostic[];
  /**
   * Build explanations (default true). The plan path may pass false: a plan
   * does not carry them, and skipping them saves time on 100k identities.
   */
  readonly explain?: boolean;
}

/**
 * Policy: identity + config → desired accounts. Pure (no I/O, no clock).
 * Call `desired` for identities in id order so unique names are deterministic.
 */
export interface Policy {
  /** One desired account per target, in config order. */
  desired(identity: Identity, ctx: PolicyContext): DesiredAccount[];
  /** Some target mapping reads `managerAccount` (so the caller passes `managerLinks`). */
  readonly usesManagerAccount: boolean;
  /** Per target whose mappings read `managerAccount`, the attributes whose mapping does. */
  readonly managerAccountAttributes: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per target whose mappings read `managerAccount`, what of it they read (manager-account-reads.ts). */
  readonly managerAccountReads: ReadonlyMap<string, ManagerAccountReads>;
}
