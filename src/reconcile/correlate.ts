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
  /** 'caseInsensitive' (default: trimmed, lower-cased) or 'exact' (trimmed only). */
  readonly normalise?: 'exact' | 'caseInsensitive';
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

function normalised(value: unknown, rule: MatchRule): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = (Array.isArray(value) ? value[0] : value);
  if (text === null || text === undefined) return undefined;
  const trimmed = String(text).trim();
  if (trimmed === '') return undefined;
  return rule.normalise === 'exact' ? trimmed : trimmed.toLowerCase();
}

/** Index identities by each rule's normalised value: value -> identity ids. */
function indexIdentities(identities: readonly Identity[], rules: readonly MatchRule[]): Map<string, string[]>[] {
  return rules.map((rule) => {
    const index = new Map<string, string[]>();
    for (const identity of identities) {
      const value = normalised(identity.attributes[rule.identity], rule);
      if (value === undefined) continue;
      const ids = index.get(value);
      if (ids) ids.push(identity.id);
      else index.set(value, [identity.id]);
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
 * delete. A link whose account is gone (vanished) links nobody: its identity
 * can be matched again.
 */
export function correlate(input: {
  readonly accounts: readonly TargetAccount[];
  readonly identities: readonly Identity[];
  readonly links: readonly LinkedAccount[];
  readonly rules: readonly MatchRule[];
}): Correlation {
  const byAccount = new Map(input.links.map((l) => [l.accountId, l]));
  const present = new Set(input.accounts.map((a) => a.accountId));
  const linkedIdentities = new Set(input.links.filter((l) => present.has(l.accountId)).map((l) => l.identityId));
  const indexes = indexIdentities(input.identities, input.rules);
  const tentative: Verdict[] = [];
  for (const account of input.accounts) {
    const link = byAccount.get(account.accountId);
    tentative.push(link
      ? { kind: 'linked', account, identityId: link.identityId }
      : decide(account, input.rules, indexes, linkedIdentities));
  }
  const claims = new Map<string, number>();
  for (const v of tentative) if (v.kind === 'matched') claims.set(v.identityId, (claims.get(v.identityId) ?? 0) + 1);
  const verdicts = tentative.map((v): Verdict => (v.kind === 'matched' && (claims.get(v.identityId) ?? 0) > 1
    ? { kind: 'disputed', account: v.account, candidates: [v.identityId], rule: v.rule }
    : v));
  const vanished = input.links.filter((l) => !present.has(l.accountId));
  return { verdicts, vanished };
}

function decide(
  account: TargetAccount, rules: readonly MatchRule[], indexes: readonly Map<string, string[]>[], linked: ReadonlySet<string>,
): Verdict {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const value = normalised(account.attributes[rule.account], rule);
    if (value === undefined) continue;
    const candidates = indexes[i]!.get(value);
    if (candidates === undefined || candidates.length === 0) continue;
    if (candidates.length > 1 || linked.has(candidates[0]!)) return { kind: 'disputed', account, candidates, rule };
    return { kind: 'matched', account, identityId: candidates[0]!, rule };
  }
  return { kind: 'orphan', account };
}
