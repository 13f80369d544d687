import type { Identity, LinkedAccount } from '../core/types.js';
import type { Db, StoreContext } from './context.js';
import { compareCodePoints, type SortedChange } from './sorted.js';

export interface LinkRef {
  readonly target: string;
  readonly identityId: string;
}

/** Map key of a link: (target, identity). */
export const linkKey = (link: LinkRef): string => `${link.target}\u0000${link.identityId}`;

/**
 * What one write transaction did to identities and links, recorded as it
 * runs: every serial bump (the new value) and every row written or removed.
 * The read cache applies it once the transaction has committed.
 * Rows are kept as given and normalised (through the same conversion as a
 * read from the database) only when a cache entry takes them.
 */
export class WriteEffects {
  #first: number | undefined;
  #last: number | undefined;
  #bumps = 0;
  readonly #identities = new Map<string, Identity>();
  readonly #links = new Map<string, { readonly ref: LinkRef; readonly value: LinkedAccount | undefined }>();
  #normaliseIdentity: (identity: Identity) => Identity = (identity) => identity;
  #normaliseLink: (link: LinkedAccount) => LinkedAccount = (link) => link;

  /** The serial bump made inside this transaction: its new value. */
  bumped(serial: number): void {
    this.#first ??= serial;
    this.#last = serial;
    this.#bumps += 1;
  }

  upsertedIdentities(identities: Iterable<Identity>, normalise: (identity: Identity) => Identity): void {
    this.#normaliseIdentity = normalise;
    for (const identity of identities) this.#identities.set(identity.id, identity);
  }

  upsertedLinks(links: Iterable<LinkedAccount>, normalise: (link: LinkedAccount) => LinkedAccount): void {
    this.#normaliseLink = normalise;
    for (const link of links) this.#links.set(linkKey(link), { ref: link, value: link });
  }

  removedLink(ref: LinkRef): void {
    this.#links.set(linkKey(ref), { ref: { target: ref.target, identityId: ref.identityId }, value: undefined });
  }

  /**
   * The serial before and after the transaction; undefined when it never
   * bumped; 'unknown' when the bumps were not consecutive (cannot happen
   * while the serial row is the writers' lock, but then nothing is assumed).
   */
  serials(): { readonly before: number; readonly after: number } | 'unknown' | undefined {
    if (this.#bumps === 0 || this.#first === undefined || this.#last === undefined) return undefined;
    if (this.#last - this.#first !== this.#bumps - 1) return 'unknown';
    return { before: this.#first - 1, after: this.#last };
  }

  /** Upserted identities, normalised, in id order. */
  identityChanges(): SortedChange<{ readonly id: string }, Identity>[] {
    const changes = [...this.#identities.values()].map((identity) => {
      const value = this.#normaliseIdentity(identity);
      return { key: value, value };
    });
    return changes.sort((a, b) => compareCodePoints(a.key.id, b.key.id));
  }

  /** Links upserted (normalised) or removed, in target then identity id order; the last word on a link wins. */
  linkChanges(): SortedChange<LinkRef, LinkedAccount>[] {
    const changes = [...this.#links.values()].map(({ ref, value }) => (
      value === undefined ? { key: ref, value } : { key: ref, value: this.#normaliseLink(value) }));
    return changes.sort((a, b) => compareCodePoints(a.key.target, b.key.target) || compareCodePoints(a.key.identityId, b.key.identityId));
  }
}

/**
 * ctx.write for writers of identities and links: `fn` records its effects,
 * and the read cache applies them after the commit (never after a rollback:
 * a rejected write leaves the cache alone, and should the commit have
 * happened after all, the moved serial makes the next read reload).
 */
export async function trackedWrite<T>(ctx: StoreContext, fn: (trx: Db, effects: WriteEffects) => Promise<T>): Promise<T> {
  const effects = new WriteEffects();
  const result = await ctx.write((trx) => fn(trx, effects));
  ctx.cache.committed(effects);
  return result;
}
