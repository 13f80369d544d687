import type { Identity, LinkedAccount } from '../core/types.js';
import { compareCodePoints, mergeSorted } from './sorted.js';
import type { WriteEffects } from './write-effects.js';

/**
 * A per-store, write-through cache of the two big reads of a plan:
 * `identities.list()` (everyone) and `accounts.listAll()`.
 *
 * Why it is correct. Every write to identities or links bumps the store
 * serial inside its own transaction (the serial row is also the writers'
 * lock, so bumps are atomic and consecutive). An entry { serial, data }
 * always means "data is exactly the database state at that serial":
 * - a load reads the serial before and after reading the rows, and is cached
 *   only when the two agree (no identity/link write committed in between);
 * - a write of this process, once committed (never on rollback), moves an
 *   entry from serial new − 1 to new by applying exactly what it wrote, and
 *   leaves any other entry alone (still true at its own serial; dropped when
 *   older, as it can never match again).
 * A read uses an entry only when the current serial equals the entry's, so
 * a write by anyone else (another store, another process, another node on
 * PostgreSQL) moves the serial past the entry and the next read reloads.
 * Data is kept in the database's order: identities by id, links by target
 * then identity id, both compared like the database's binary/"C" collation
 * (by code point).
 */
export interface CacheEntry<T> {
  serial: number;
  data: T[];
}

export const compareIdentities = (a: { readonly id: string }, b: { readonly id: string }): number => compareCodePoints(a.id, b.id);

export const compareLinks = (
  a: { readonly target: string; readonly identityId: string }, b: { readonly target: string; readonly identityId: string },
): number => compareCodePoints(a.target, b.target) || compareCodePoints(a.identityId, b.identityId);

export class ReadCache {
  #identities: CacheEntry<Identity> | undefined;
  #accounts: CacheEntry<LinkedAccount> | undefined;

  /** Everyone at `serial` (a shallow copy: the objects are immutable), or undefined when not cached at that serial. */
  identities(serial: number): Identity[] | undefined {
    return hit(this.#identities, serial);
  }

  /** Is everyone cached at `serial` (no copy made)? */
  holdsIdentities(serial: number): boolean {
    return this.#identities !== undefined && this.#identities.serial === serial;
  }

  /** Every link at `serial`, as `identities`. */
  accounts(serial: number): LinkedAccount[] | undefined {
    return hit(this.#accounts, serial);
  }

  /** Keeps everyone as loaded at `serial` (the caller checked that the serial did not move while it read). */
  keepIdentities(serial: number, data: readonly Identity[]): void {
    this.#identities = kept(this.#identities, serial, data);
  }

  keepAccounts(serial: number, data: readonly LinkedAccount[]): void {
    this.#accounts = kept(this.#accounts, serial, data);
  }

  clear(): void {
    this.#identities = undefined;
    this.#accounts = undefined;
  }

  /** After a write transaction committed: bring each entry forward by exactly what the write did, or drop it. */
  committed(effects: WriteEffects): void {
    const moved = effects.serials();
    if (moved === undefined) return; // nothing bumped: nothing about identities or links changed
    if (moved === 'unknown') return this.clear();
    const { before, after } = moved;
    const identities = this.#identities;
    if (identities !== undefined) {
      if (identities.serial === before) {
        identities.data = mergeSorted(identities.data, effects.identityChanges(), compareIdentities);
        identities.serial = after;
      } else if (identities.serial < before) {
        this.#identities = undefined; // stale for good (the serial only grows): free it
      }
    }
    const accounts = this.#accounts;
    if (accounts !== undefined) {
      if (accounts.serial === before) {
        accounts.data = mergeSorted(accounts.data, effects.linkChanges(), compareLinks);
        accounts.serial = after;
      } else if (accounts.serial < before) {
        this.#accounts = undefined;
      }
    }
  }
}

function hit<T>(entry: CacheEntry<T> | undefined, serial: number): T[] | undefined {
  return entry !== undefined && entry.serial === serial ? entry.data.slice() : undefined;
}

function kept<T>(current: CacheEntry<T> | undefined, serial: number, data: readonly T[]): CacheEntry<T> {
  // A write of this process may already have brought the entry further: keep the newer one.
  return current !== undefined && current.serial > serial ? current : { serial, data: data.slice() };
}
