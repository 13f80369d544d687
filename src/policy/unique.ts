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

/**
 * Length limits unique() numbering must respect, by attribute name (lower
 * case), whatever the target: AD refuses a sAMAccountName over 20 characters.
 */
const KNOWN_MAX_LENGTH: Readonly<Record<string, number>> = { samaccountname: 20 };

/** Per target: Roster attribute → the most characters its value may have (see maxLengthsOf). */
export type MaxLengths = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * The length limits of a target's attributes that are not known by their
 * Roster name alone: in an AD target, the attribute `connection.users.attributes`
 * maps to sAMAccountName (20 characters), whatever it is called in Roster.
 */
export function maxLengthsOf(target: Pick<TargetConfig, 'type' | 'connection' | 'attributes'>): Map<string, number> {
  const limits = new Map<string, number>();
  if (target.type !== 'ad') return limits;
  const users = target.connection.users;
  const mapped = typeof users === 'object' && users !== null ? (users as { attributes?: unknown }).attributes : undefined;
  const renames = typeof mapped === 'object' && mapped !== null ? (mapped as Record<string, unknown>) : {};
  for (const name of Object.keys(target.attributes)) {
    const ldapName = typeof renames[name] === 'string' ? renames[name] : name;
    const max = KNOWN_MAX_LENGTH[ldapName.toLowerCase()];
    if (max !== undefined) limits.set(name, max);
  }
  return limits;
}

const NOT_ASCII = /[^\u0000-\u007f]/;
/** A candidate names someone only with a letter or a digit in it: `.` (two names ascii() dropped) or `-` do not. */
const NAMING = /[\p{L}\p{N}]/u;

/**
 * Values compare trimmed, case-insensitively and in Unicode NFC: `JDoe` and
 * `jdoe` collide in LDAP, AD and most apps, and so do `josé` written composed
 * (HR) and decomposed (a directory).
 */
const normalise = (value: string): string => {
  const lower = value.trim().toLowerCase();
  return NOT_ASCII.test(lower) ? lower.normalize('NFC') : lower;
};

/** `value` within `max` characters (code points, as AD counts them); trailing spaces left by the cut go. */
function fitted(value: string, max: number | undefined): string {
  if (max === undefined || value.length <= max) return value;
  const chars = [...value];
  return chars.length <= max ? value : chars.slice(0, max).join('').trimEnd();
}

const NO_ACCOUNTS: readonly LinkedAccount[] = Object.freeze([]);
const NO_HELD: ReadonlyMap<string, HeldValues> = new Map();
/** The holder of a value an unlinked account holds: no identity id (ids are source keys, never NUL). */
const UNLINKED = '\u0000unlinked';

/** Unique attribute → values held in one target by accounts no identity is linked to (from the last reconcile). */
export type HeldValues = Readonly<Record<string, readonly string[]>>;

/**
 * Values taken per target and attribute (usernames, emails), built from every
 * linked account and from the values unlinked accounts hold in the target
 * (orphans and disputed accounts the last reconcile read: a joiner named
 * after a departed user's account would otherwise be handed that account
 * by the connector), so that a new account never gets a name someone holds and
 * two new people in the same plan never get the same one (callers process
 * identities in id order, so the outcome is deterministic).
 *
 * Lazy: the values of one target and attribute are read from the accounts
 * the first time a question is asked about them (`taken`, `pick`). Claims
 * made before that are queued and applied after the accounts, in order, which
 * gives the same holders as claiming them one by one. A plan where nobody
 * needs a new name (a no-change plan) builds nothing.
 */
export class UniqueIndex {
  /** `${target}\0${attribute}` → normalised value → holder; present once built. */
  readonly #taken = new Map<string, Map<string, string>>();
  /** Claims (value, holder, value, holder, …) waiting for their target and attribute to be built. */
  readonly #pending = new Map<string, string[]>();
  /** Next number to try per target, attribute and first candidate (keeps numbering linear). */
  readonly #next = new Map<string, number>();
  readonly #unique: ReadonlyMap<string, ReadonlySet<string>>;
  readonly #accounts: readonly LinkedAccount[];
  readonly #held: ReadonlyMap<string, HeldValues>;
  readonly #maxLengths: MaxLengths;
  /** Undo steps of the claims and picks since `begin` (undefined: not recording). */
  #journal: (() => void)[] | undefined;

  /**
   * `maxLengths`: per target, the most characters an attribute's value may
   * have, beyond those known by name (KNOWN_MAX_LENGTH); a numbered fallback
   * never exceeds it.
   */
  constructor(
    uniqueAttributes: ReadonlyMap<string, readonly string[]>, accounts: readonly LinkedAccount[] = NO_ACCOUNTS, held: ReadonlyMap<string, HeldValues> = NO_HELD,
    maxLengths: MaxLengths = new Map(),
  ) {
    const unique = new Map<string, ReadonlySet<string>>();
    for (const [target, names] of uniqueAttributes) unique.set(target, new Set(names));
    this.#unique = unique;
    this.#accounts = accounts;
    this.#held = held;
    this.#maxLengths = maxLengths;
  }

  /** From every linked account in the store (and the held values per target); which attributes are unique, and their length limits, come from the targets' config. */
  static fromAccounts(accounts: Iterable<LinkedAccount>, config: Pick<RosterConfig, 'targets'>, held?: ReadonlyMap<string, HeldValues>): UniqueIndex {
    const list = Array.isArray(accounts) ? (accounts as readonly LinkedAccount[]) : [...accounts];
    return new UniqueIndex(new Map(config.targets.map((t) => [t.id, uniqueAttributesOf(t)])), list, held, new Map(config.targets.map((t) => [t.id, maxLengthsOf(t)])));
  }

  /** The most characters a value of the attribute may have in the target; undefined: no limit known. */
  maxLength(target: string, attribute: string): number | undefined {
    return this.#maxLengths.get(target)?.get(attribute) ?? KNOWN_MAX_LENGTH[attribute.toLowerCase()];
  }

  isUnique(target: string, attribute: string): boolean {
    return this.#unique.get(target)?.has(attribute) ?? false;
  }

  /** The values of one target and attribute, built on first use: linked accounts first, then held values, then queued claims. */
  #values(target: string, attribute: string): Map<string, string> {
    const key = `${target}\u0000${attribute}`;
    let values = this.#taken.get(key);
    if (values) return values;
    values = new Map();
    if (this.isUnique(target, attribute)) {
      for (const account of this.#accounts) {
        if (account.target !== target) continue;
        const value = account.attributes[attribute];
        if (typeof value === 'string' && value !== '') claimIn(values, value, account.identityId);
      }
      for (const value of this.#held.get(target)?.[attribute] ?? []) claimIn(values, value, UNLINKED);
    }
    const pending = this.#pending.get(key);
    if (pending) {
      for (let i = 0; i < pending.length; i += 2) claimIn(values, pending[i]!, pending[i + 1]!);
      this.#pending.delete(key);
    }
    this.#taken.set(key, values);
    return values;
  }

  /** Is the value held by anyone (other than `except`)? */
  taken(target: string, attribute: string, value: string, except?: string): boolean {
    return takenIn(this.#values(target, attribute), value, except);
  }

  /** Record that `identityId` holds the value (the first holder keeps it). */
  claim(target: string, attribute: string, value: string, identityId: string): void {
    const key = `${target}\u0000${attribute}`;
    const values = this.#taken.get(key);
    if (values) {
      if (claimIn(values, value, identityId)) this.#journal?.push(() => unclaimIn(values, value, identityId));
      return;
    }
    let pending = this.#pending.get(key);
    if (!pending) this.#pending.set(key, (pending = []));
    pending.push(value, identityId);
    if (this.#journal === undefined) return;
    const queued = pending;
    this.#journal.push(() => {
      // Still queued: taken off the queue; applied since (the values were built): taken out of them.
      const at = this.#pending.get(key) === queued ? lastPair(queued, value, identityId) : -1;
      if (at >= 0) queued.splice(at, 2);
      else {
        const built = this.#taken.get(key);
        if (built) unclaimIn(built, value, identityId);
      }
    });
  }

  /**
   * Start recording claims and picks, to be kept (`commit`) or undone
   * (`rollback`): policy undoes those of a new account whose create is not
   * planned (a later mapping failed), so that a name is not kept for an
   * account that is not being made.
   */
  begin(): void {
    this.#journal = [];
  }

  commit(): void {
    this.#journal = undefined;
  }

  /** Undo the claims and picks made since `begin`, last first. */
  rollback(): void {
    const journal = this.#journal;
    this.#journal = undefined;
    if (journal) for (let i = journal.length - 1; i >= 0; i -= 1) journal[i]!();
  }

  /**
   * The first candidate nobody else holds (skipping those without a letter
   * or digit: empty, or only separators); when all are taken, the first
   * candidate with a number: jdoe2, jdoe3, … The value is claimed. When the
   * attribute has a length limit (maxLength), a longer candidate is cut to
   * it, and where the number would break it, the number replaces the
   * candidate's last characters instead: a 20-character sAMAccountName
   * `alexandria.montgomer` becomes `alexandria.montgome2`.
   */
  pick(target: string, attribute: string, candidates: readonly string[], identityId: string): string | undefined {
    let first: string | undefined;
    let chosen: string | undefined;
    let values: Map<string, string> | undefined;
    const max = this.maxLength(target, attribute);
    for (const given of candidates) {
      if (!NAMING.test(given)) continue;
      // A candidate past the limit could never be created: it is cut to it.
      const candidate = fitted(given, max);
      first ??= candidate;
      values ??= this.#values(target, attribute);
      if (!takenIn(values, candidate, identityId)) {
        chosen = candidate;
        break;
      }
    }
    if (first === undefined || values === undefined) return undefined;
    if (chosen === undefined) {
      const counter = `${target}\u0000${attribute}\u0000${normalise(first)}`;
      let n = this.#next.get(counter) ?? 2;
      while (takenIn(values, numbered(first, n, max), identityId)) n += 1;
      chosen = numbered(first, n, max);
      const before = this.#next.get(counter);
      this.#journal?.push(() => (before === undefined ? this.#next.delete(counter) : this.#next.set(counter, before)));
      this.#next.set(counter, n + 1);
    }
    if (claimIn(values, chosen, identityId)) {
      const taken = values;
      const name = chosen;
      this.#journal?.push(() => unclaimIn(taken, name, identityId));
    }
    return chosen;
  }
}

/**
 * `value` with the number `n` at its end, within `max` characters (code
 * points, as AD counts them) when given: the number replaces the last
 * characters it would push past the limit. Trailing spaces left before the
 * number by the cut go (values compare trimmed).
 */
export function numbered(value: string, n: number, max?: number): string {
  const digits = String(n);
  const chars = [...value];
  if (max === undefined || chars.length + digits.length <= max) return `${value}${digits}`;
  return `${chars.slice(0, Math.max(0, max - digits.length)).join('').trimEnd()}${digits}`;
}

/** Is the value held by anyone (other than `except`)? Over one target and attribute's values. */
function takenIn(values: ReadonlyMap<string, string>, value: string, except: string | undefined): boolean {
  const holder = values.get(normalise(value));
  return holder !== undefined && holder !== except;
}

/** Claim the value for `identityId` unless someone holds it: true when it was claimed now. */
function claimIn(values: Map<string, string>, value: string, identityId: string): boolean {
  const normal = normalise(value);
  if (normal === '' || values.has(normal)) return false;
  values.set(normal, identityId);
  return true;
}

/** Release the value if `identityId` holds it. */
function unclaimIn(values: Map<string, string>, value: string, identityId: string): void {
  const normal = normalise(value);
  if (values.get(normal) === identityId) values.delete(normal);
}

/** Index of the last (value, holder) pair of a claim queue, or -1. */
function lastPair(queue: readonly string[], value: string, identityId: string): number {
  for (let i = queue.length - 2; i >= 0; i -= 2) if (queue[i] === value && queue[i + 1] === identityId) return i;
  return -1;
}
