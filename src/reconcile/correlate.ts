import type { Identity, LinkedAccount, TargetAccount } from '../core/types.js';

/**
 * Correlation: which identity does an account that already exists in a
 * target belong to? Pure: accounts, identities and links in, a verdict per
 * account out. Used when Roster is introduced into a directory that already
 * has people in it, so that linking never creates a duplicate.
 */
export interface MatchRule {
  /** The account attribute compared (e.g. employeeID, mail, uid). */
  readonly account: string;
  /** How to read the identity's value: an attribute name of the HR record. */
  readonly identity: string;
  /**
   * 'caseInsensitive' (default: trimmed, lower-cased), 'exact' (trimmed only),
   * or 'numeric': as caseInsensitive, and a value of digits alone without its
   * leading zeros (an HR export that went through a spreadsheet has `123`
   * for the directory's `00123`).
   */
  readonly normalise?: 'exact' | 'caseInsensitive' | 'numeric';
}

export type Verdict =
  | { readonly kind: 'linked'; readonly account: TargetAccount; readonly identityId: string }
  | { readonly kind: 'matched'; readonly account: TargetAccount; readonly identityId: string; readonly rule: MatchRule }
  | { readonly kind: 'orphan'; readonly account: TargetAccount }
  | { readonly kind: 'disputed'; readonly account: TargetAccount; readonly candidates: readonly string[]; readonly rule: MatchRule };

export interface Correlation {
  readonly verdicts: readonly Verdict[];
  /** Links whose account is no longer in the target (deleted outside Roster). */
  readonly vanished: readonly LinkedAccount[];
}

/** Every non-empty value of an attribute, normalised: a multi-valued attribute (mail aliases) matches by any of them. */
export function normalised(value: unknown, rule: MatchRule): string[] {
  const values = Array.isArray(value) ? value : [value];
  const out = new Set<string>();
  for (const text of values) {
    if (text === null || text === undefined) continue;
    // One text in one form: a name stored decomposed (NFD, as some directories and macOS do) matches HR's composed one.
    const trimmed = String(text).normalize('NFC').trim();
    if (trimmed === '') continue;
    if (rule.normalise === 'exact') out.add(trimmed);
    else if (rule.normalise === 'numeric' && /^[0-9]+$/.test(trimmed)) out.add(trimmed.replace(/^0+(?=[0-9])/, ''));
    else out.add(trimmed.toLowerCase());
  }
  return [...out];
}

/** Index identities by each rule's normalised values: value -> identity ids. */
function indexIdentities(identities: readonly Identity[], rules: readonly MatchRule[]): Map<string, string[]>[] {
  return rules.map((rule) => {
    const index = new Map<string, string[]>();
    for (const identity of identities) {
      for (const value of normalised(identity.attributes[rule.identity], rule)) {
        const ids = index.get(value);
        if (ids) ids.push(identity.id);
        else index.set(value, [identity.id]);
      }
    }
    return index;
  });
}

/**
 * Rules are tried in order; the first rule under which an account has any
 * candidate decides. More than one candidate is a dispute, and so is one
 * identity claimed by two accounts, and so is an account whose candidate
 * already has another account here (a second account, or a shared mailbox
 * whose claimants got their own): disputes are reported, never acted on,
 * because guessing between two people is how access ends up with the wrong
 * one, and an account that matches a person is never an orphan to disable or
 * delete. An account with several values (mail aliases) matches by any of
 * them; values that name different people are a dispute. A link whose account
 * is gone (vanished) links nobody: its identity can be matched again, unless
 * `keepVanished` (the read looks incomplete and the links are kept, see
 * vanished.ts): then its identity still has its account here.
 */
export function correlate(input: {
  readonly accounts: readonly TargetAccount[];
  readonly identities: readonly Identity[];
  readonly links: readonly LinkedAccount[];
  readonly rules: readonly MatchRule[];
  readonly keepVanished?: boolean;
  /**
   * Accounts of links the read did not return but the target still has when
   * asked by id (a paged read that missed them while they were modified):
   * not vanished, so their identity still has its account here, and another
   * account naming that identity is disputed, not matched (which would move
   * the link off an account that is still there).
   */
  readonly foundById?: ReadonlySet<string>;
}): Correlation {
  const byAccount = new Map(input.links.map((l) => [l.accountId, l]));
  // One verdict per account: a read that returned an account twice (a page boundary moving under writes) must not
  // have it claim its person twice, a dispute with itself; the later copy is the newer.
  const accounts = [...new Map(input.accounts.map((a) => [a.accountId, a])).values()];
  const present = new Set(accounts.map((a) => a.accountId));
  const found = input.foundById ?? new Set<string>();
  const kept = input.keepVanished === true ? input.links : input.links.filter((l) => present.has(l.accountId) || found.has(l.accountId));
  const linkedIdentities = new Set(kept.map((l) => l.identityId));
  const indexes = indexIdentities(input.identities, input.rules);
  const byId = new Map(input.identities.map((i) => [i.id, i]));
  const tentative: Verdict[] = [];
  for (const account of accounts) {
    const link = byAccount.get(account.accountId);
    tentative.push(link
      ? { kind: 'linked', account, identityId: link.identityId }
      : decide(account, input.rules, indexes, linkedIdentities, byId));
  }
  const claims = new Map<string, number>();
  for (const v of tentative) if (v.kind === 'matched') claims.set(v.identityId, (claims.get(v.identityId) ?? 0) + 1);
  const verdicts = tentative.map((v): Verdict => (v.kind === 'matched' && (claims.get(v.identityId) ?? 0) > 1
    ? { kind: 'disputed', account: v.account, candidates: [v.identityId], rule: v.rule }
    : v));
  const vanished = input.links.filter((l) => !present.has(l.accountId) && !found.has(l.accountId));
  return { verdicts, vanished };
}

function decide(
  account: TargetAccount, rules: readonly MatchRule[], indexes: readonly Map<string, string[]>[], linked: ReadonlySet<string>,
  byId: ReadonlyMap<string, Identity>,
): Verdict {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const candidates = new Set<string>();
    for (const value of normalised(account.attributes[rule.account], rule)) for (const id of indexes[i]!.get(value) ?? []) candidates.add(id);
    if (candidates.size === 0) continue;
    const [first] = candidates;
    if (candidates.size > 1 || linked.has(first!) || contradicted(account, byId.get(first!), rules.slice(0, i))) {
      return { kind: 'disputed', account, candidates: [...candidates], rule };
    }
    return { kind: 'matched', account, identityId: first!, rule };
  }
  return { kind: 'orphan', account };
}

/**
 * Whether an earlier (stronger) rule says the account is someone else's: the
 * account and the identity both have a value for it, and none is shared. A
 * departed user's account whose mail a new hire of the same name now has
 * carries the departed user's employeeID: matched by mail, the new hire would
 * take over their account (groups, mailbox). Disputed instead: never acted
 * on, and said; an operator settles it (clear the old account's mail, or link
 * it by hand if the ids differ only in format). Compared leniently (case
 * and Unicode form aside, whatever the rule says, and leading zeros too
 * under a numeric rule): `e0231` does not contradict `E0231`.
 */
function contradicted(account: TargetAccount, identity: Identity | undefined, stronger: readonly MatchRule[]): boolean {
  if (identity === undefined) return false;
  return stronger.some((strict) => {
    const rule = { ...strict, normalise: strict.normalise === 'numeric' ? 'numeric' as const : 'caseInsensitive' as const };
    const held = normalised(account.attributes[rule.account], rule);
    const own = normalised(identity.attributes[rule.identity], rule);
    return held.length > 0 && own.length > 0 && !held.some((value) => own.includes(value));
  });
}

/** Below this many accounts, a rule attribute no account carries may just be sparse data (an old account with no mail). */
const SPARSE_READ = 10;

/**
 * Connectors return only the attributes they map (and the key), and a
 * directory may never have filled an attribute in (an AD domain without
 * employeeID): a rule that names it matches nothing, and the accounts it
 * should have linked are left to the next rules, or become orphans. That is
 * said, not refused (refusing would leave such a target unreconciled, its
 * creates held for good): one warning per rule whose attribute is on no
 * account read, when the read is big enough for that to mean something, or
 * a link says one of the accounts read has it (Roster wrote it, yet the read
 * lost it).
 */
export function unreadRules(target: string, accounts: readonly TargetAccount[], links: readonly LinkedAccount[], rules: readonly MatchRule[]): string[] {
  if (accounts.length === 0) return [];
  const carried = new Set<string>();
  for (const account of accounts) for (const [name, value] of Object.entries(account.attributes)) if (value !== undefined && value !== null) carried.add(name);
  const present = new Set(accounts.map((a) => a.accountId));
  const warnings: string[] = [];
  for (const rule of rules) {
    if (carried.has(rule.account)) continue;
    const known = links.some((l) => present.has(l.accountId) && l.attributes[rule.account] !== undefined && l.attributes[rule.account] !== null);
    if (accounts.length < SPARSE_READ && !known) continue;
    warnings.push(`${target}: the match rule ${rule.account} = identity.${rule.identity} matched nothing: none of the ${accounts.length} accounts read carries ${rule.account} `
      + `(they carry: ${[...carried].sort().join(', ') || 'nothing'}); the other rules were tried. If the accounts do have it, map it in the target's connection `
      + '(e.g. users.attributes); if the directory never filled it in, the rule can go');
  }
  return warnings;
}
