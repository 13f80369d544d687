import type { Identity } from '../core/types.js';
import { normalised, type MatchRule, type Verdict } from './correlate.js';

/**
 * The orphans of a reconcile pass, as the pass's match rules read them, for
 * the plans that follow. An orphan matched nobody when the pass ran; a person
 * who appears later (a late HR row, a rehire, an employee id or mail HR
 * corrected) and whom it matches already has that account: a plan must not
 * create a second one before a pass links it. Plans hold such a create (as
 * they hold a disputed person's) until the next pass settles it: linked, or
 * disputed when an earlier rule contradicts the match.
 *
 * Every plan reads the memo, and a directory may hold many orphans: the values
 * are kept as one string per rule (cheap to read), split into a set only by a
 * plan that asks about someone with no account there.
 */
export interface OrphanMatches {
  /** The rules of the pass, in order. */
  readonly rules: readonly MatchRule[];
  /** Per rule (same order): the orphans' normalised values, sorted, one a line. */
  readonly values: readonly string[];
}

/** How a person matches an orphan: the rule (`account = identity.attribute`) and the value. */
export interface OrphanMatch {
  readonly rule: string;
  readonly value: string;
}

/** The orphans of a pass under its rules; undefined when there is no rule or no orphan value. */
export function orphanMatchesOf(verdicts: readonly Verdict[], rules: readonly MatchRule[]): OrphanMatches | undefined {
  const sets = rules.map(() => new Set<string>());
  for (const verdict of verdicts) {
    if (verdict.kind !== 'orphan') continue;
    rules.forEach((rule, i) => {
      // A value with a line break would read back as two: such an account is left to the next pass.
      for (const value of normalised(verdict.account.attributes[rule.account], rule)) if (!value.includes('\n')) sets[i]!.add(value);
    });
  }
  if (sets.every((set) => set.size === 0)) return undefined;
  return { rules, values: sets.map((set) => [...set].sort().join('\n')) };
}

/** Reads the orphan values of one memo, splitting a rule's values the first time a person is looked up. */
export class OrphanIndex {
  readonly #matches: OrphanMatches | undefined;
  #sets: (ReadonlySet<string> | undefined)[] | undefined;

  constructor(matches: OrphanMatches | undefined) {
    // A memo written by an older version (no index, or one of another shape) matches nobody.
    const valid = matches !== undefined && matches !== null && Array.isArray(matches.rules) && Array.isArray(matches.values);
    this.#matches = valid ? matches : undefined;
  }

  /** The first rule under which this person matches an orphan, and the value. */
  match(identity: Identity): OrphanMatch | undefined {
    const matches = this.#matches;
    if (matches === undefined) return undefined;
    this.#sets ??= matches.values.map((text) => (typeof text === 'string' && text !== '' ? new Set(text.split('\n')) : undefined));
    for (let i = 0; i < matches.rules.length; i++) {
      const rule = matches.rules[i]!;
      const set = this.#sets[i];
      if (set === undefined) continue;
      const value = normalised(identity.attributes[rule.identity], rule).find((one) => set.has(one));
      if (value !== undefined) return { rule: `${rule.account} = identity.${rule.identity}`, value };
    }
    return undefined;
  }
}
