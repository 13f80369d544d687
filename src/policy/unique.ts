import type { RosterConfig, TargetConfig } from '../config/types.js';
import type { LinkedAccount } from '../core/types.js';

const UNIQUE_CALL = /\bunique\s*\(/;

/** Attributes that must be unique in a target: its account key and every `unique([...])` mapping. */
export function uniqueAttributesOf(target: TargetConfig): string[] {
  const names = new Set<string>([target.accountKey]);
  for (const [name, source] of Object.entries(target.attributes)) if (UNIQUE_CALL.test(source)) names.add(name);
  return [...names];
}

/** Does this mapping pick from unique candidates (so an existing value is kept)? */
export function isUniqueMapping(source: string): boolean {
  return UNIQUE_CALL.test(source);
}

/** Values compare trimmed and case-insensitively: `JDoe` and `jdoe` collide in LDAP, AD and most apps. */
const normalise = (value: string): string => value.trim().toLowerCase();

/**
 * Values taken per target and attribute (usernames, emails), built from every
 * linked account, so that a new account never gets a name someone holds and
 * two new people in the same plan never get the same one (callers process
 * identities in id order, so the outcome is deterministic).
 */
export class UniqueIndex {
  /** target → attribute → normalised value → holder. */
  readonly #taken = new Map<string, Map<string, Map<string, string>>>();
  /** Next number to try per target, attribute and first candidate (keeps numbering linear). */
  readonly #next = new Map<string, number>();
  readonly #unique: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(uniqueAttributes: ReadonlyMap<string, readonly string[]>) {
    const unique = new Map<string, ReadonlySet<string>>();
    for (const [target, names] of uniqueAttributes) unique.set(target, new Set(names));
    this.#unique = unique;
  }

  /** From every linked account in the store; which attributes are unique comes from the targets' config. */
  static fromAccounts(accounts: Iterable<LinkedAccount>, config: Pick<RosterConfig, 'targets'>): UniqueIndex {
    const index = new UniqueIndex(new Map(config.targets.map((t) => [t.id, uniqueAttributesOf(t)])));
    for (const account of accounts) {
      const names = index.#unique.get(account.target);
      if (!names) continue;
      for (const name of names) {
        const value = account.attributes[name];
        if (typeof value === 'string' && value !== '') index.#claimIn(index.#values(account.target, name), value, account.identityId);
      }
    }
    return index;
  }

  isUnique(target: string, attribute: string): boolean {
    return this.#unique.get(target)?.has(attribute) ?? false;
  }

  #values(target: string, attribute: string): Map<string, string> {
    let attributes = this.#taken.get(target);
    if (!attributes) this.#taken.set(target, (attributes = new Map()));
    let values = attributes.get(attribute);
    if (!values) attributes.set(attribute, (values = new Map()));
    return values;
  }

  #claimIn(values: Map<string, string>, value: string, identityId: string): void {
    const normal = normalise(value);
    if (normal !== '' && !values.has(normal)) values.set(normal, identityId);
  }

  /** Is the value held by anyone (other than `except`)? */
  taken(target: string, attribute: string, value: string, except?: string): boolean {
    const holder = this.#taken.get(target)?.get(attribute)?.get(normalise(value));
    return holder !== undefined && holder !== except;
  }

  /** Record that `identityId` holds the value (the first holder keeps it). */
  claim(target: string, attribute: string, value: string, identityId: string): void {
    this.#claimIn(this.#values(target, attribute), value, identityId);
  }

  /**
   * The first candidate nobody else holds; when all are taken, the first
   * candidate with a number: jdoe2, jdoe3, … The value is claimed.
   */
  pick(target: string, attribute: string, candidates: readonly string[], identityId: string): string | undefined {
    const usable = candidates.filter((c) => c.trim() !== '');
    const first = usable[0];
    if (first === undefined) return undefined;
    let chosen = usable.find((c) => !this.taken(target, attribute, c, identityId));
    if (chosen === undefined) {
      const counter = `${target}\u0000${attribute}\u0000${normalise(first)}`;
      let n = this.#next.get(counter) ?? 2;
      while (this.taken(target, attribute, `${first}${n}`, identityId)) n += 1;
      chosen = `${first}${n}`;
      this.#next.set(counter, n + 1);
    }
    this.claim(target, attribute, chosen, identityId);
    return chosen;
  }
}
