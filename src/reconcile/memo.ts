import type { Identity, TargetAccount } from '../core/types.js';
import type { StateStore } from '../store/types.js';
import type { MatchRule, Verdict } from './correlate.js';
import { OrphanIndex, orphanMatchesOf, type OrphanMatch, type OrphanMatches } from './orphan-matches.js';

/**
 * What a reconcile pass learnt about a target's unlinked accounts, kept for
 * the plans that follow it. Plans must not read the directory (they run on
 * every HR change), yet they need two facts only a full read of the target
 * gives: which names unlinked accounts hold (a joiner must not be given one,
 * or the connector would find someone else's account under it), and which
 * people already have an account here that is disputed (creating another one
 * would give them a third). The pass stores this in the state store, one key
 * per target: it is a snapshot replaced by every pass, read whole by every
 * plan, and needs no schema of its own.
 */
export interface ReconcileMemo {
  readonly at: string;
  /** identity id → the unlinked accounts that name this identity alone: no create is planned for it here. */
  readonly disputes: Readonly<Record<string, readonly string[]>>;
  /** Unique attribute (account key, `unique([...])` mappings) → values unlinked accounts hold. */
  readonly held: Readonly<Record<string, readonly string[]>>;
  /** The orphans under the pass's match rules: a person who appears later and matches one gets no create (reconcile/orphan-matches.ts). */
  readonly orphans?: OrphanMatches;
}

/** The unlinked accounts of the last pass (orphans and disputed), for `reconcile --link`; plans never read these. */
export interface UnlinkedAccounts {
  readonly at: string;
  readonly accounts: readonly TargetAccount[];
}

export const memoKey = (target: string): string => `reconcile:${target}`;

export const unlinkedKey = (target: string): string => `reconcile:${target}:unlinked`;

/** The memo of one pass: disputes per identity and the unique values unlinked accounts hold. */
export function memoOf(
  verdicts: readonly Verdict[], uniqueAttributes: readonly string[], linkedIdentities: ReadonlySet<string>, at: string, rules: readonly MatchRule[] = [],
): ReconcileMemo {
  const disputes: Record<string, string[]> = {};
  const held: Record<string, string[]> = {};
  for (const verdict of verdicts) {
    if (verdict.kind !== 'orphan' && verdict.kind !== 'disputed') continue;
    for (const name of uniqueAttributes) for (const value of heldBy(verdict.account, name)) (held[name] ??= []).push(value);
    // An account several people may own says nothing about any one of them needing no account of their own.
    if (verdict.kind !== 'disputed' || verdict.candidates.length !== 1) continue;
    const identity = verdict.candidates[0]!;
    if (!linkedIdentities.has(identity)) (disputes[identity] ??= []).push(verdict.account.accountId);
  }
  const orphans = orphanMatchesOf(verdicts, rules);
  return { at, disputes, held, ...(orphans === undefined ? {} : { orphans }) };
}

/** The memo once `account` is linked to `identityId`: it holds no name (its link does) and settles the disputes it was part of. */
export function memoAfterLink(memo: ReconcileMemo, account: TargetAccount, identityId: string, uniqueAttributes: readonly string[]): ReconcileMemo {
  const disputes: Record<string, readonly string[]> = {};
  for (const [identity, accounts] of Object.entries(memo.disputes)) {
    const left = accounts.filter((id) => id !== account.accountId);
    if (identity !== identityId && left.length > 0) disputes[identity] = left;
  }
  const held: Record<string, readonly string[]> = { ...memo.held };
  for (const name of uniqueAttributes) {
    for (const value of heldBy(account, name)) {
      const values = held[name];
      const index = values === undefined ? -1 : values.indexOf(value);
      if (index >= 0) held[name] = [...values!.slice(0, index), ...values!.slice(index + 1)];
    }
  }
  // The orphan values stay: the person linked now is asked about no more, and anyone else they name waits for the next pass.
  return { at: memo.at, disputes, held, ...(memo.orphans === undefined ? {} : { orphans: memo.orphans }) };
}

/**
 * The values of a unique attribute an unlinked account holds. In Active
 * Directory a new account's userPrincipalName is `<sAMAccountName>@<suffix>`,
 * unique in the whole domain: an account whose UPN is `alan.turing@…` under
 * another sAMAccountName (a UPN-only legacy account) holds `alan.turing` too,
 * or a joiner given that name would be refused by AD on every create.
 */
function heldBy(account: TargetAccount, name: string): string[] {
  const values = new Set<string>();
  const value = account.attributes[name];
  if (typeof value === 'string' && value.trim() !== '') values.add(value);
  const upn = account.attributes['userPrincipalName'];
  const at = typeof upn === 'string' ? upn.lastIndexOf('@') : -1;
  if (name === 'sAMAccountName' && at > 0 && typeof upn === 'string' && upn.slice(0, at).trim() !== '' && upn.slice(0, at).toLowerCase() !== String(value).toLowerCase()) {
    values.add(upn.slice(0, at).trim());
  }
  return [...values];
}

/**
 * The memos of every target, as a plan reads them (one state read per
 * target): who has an open dispute where, and which names are held.
 */
export class ReconcileMemos {
  readonly #memos: ReadonlyMap<string, ReconcileMemo>;
  readonly #orphans = new Map<string, OrphanIndex>();

  constructor(memos: ReadonlyMap<string, ReconcileMemo>) {
    this.#memos = memos;
  }

  static async read(state: Pick<StateStore, 'get'>, targets: readonly string[]): Promise<ReconcileMemos> {
    const memos = new Map<string, ReconcileMemo>();
    for (const target of targets) {
      const memo = await state.get<ReconcileMemo>(memoKey(target));
      if (memo) memos.set(target, memo);
    }
    return new ReconcileMemos(memos);
  }

  /** The disputed accounts that name this identity alone in this target (undefined: none). */
  readonly disputed = (target: string, identityId: string): readonly string[] | undefined => {
    const accounts = this.#memos.get(target)?.disputes[identityId];
    return accounts !== undefined && accounts.length > 0 ? accounts : undefined;
  };

  /** The orphans of the target's last pass this person (linked to none there) matches: no create is planned for them there. */
  readonly orphaned = (target: string, identity: Identity): OrphanMatch | undefined => {
    const memo = this.#memos.get(target);
    if (memo?.orphans === undefined) return undefined;
    let index = this.#orphans.get(target);
    if (index === undefined) this.#orphans.set(target, index = new OrphanIndex(memo.orphans));
    return index.match(identity);
  };

  /** Has the target had a reconcile pass that opened its creates (its memo is written)? */
  has(target: string): boolean {
    return this.#memos.has(target);
  }

  /** Per target, the unique values unlinked accounts hold. */
  held(): Map<string, Readonly<Record<string, readonly string[]>>> {
    return new Map([...this.#memos].map(([target, memo]) => [target, memo.held]));
  }
}
