import { parseFilter, translateFilter, type TranslatedFilter } from '../../scim/filter/index.js';
import type { ScimResourceType } from '../../scim/resource/types.js';
import type { Store } from '../../store/types.js';

/** Distinct filters kept: far more than the shapes one identity provider polls with, small next to the store. */
const MAX_FILTERS = 1_000;

/**
 * Filters parsed and translated to SQL, by resource type and filter text,
 * least recently used first out. Identity providers repeat the same filters
 * (the same `externalId eq` or `displayName eq` check on every cycle), and a
 * translated filter is plain data (SQL text and bound values), so it can be
 * handed out again as is. Only filters that translate are kept: a refused
 * one is parsed again each time, so a bad client cannot fill the cache with
 * errors.
 */
export class FilterCache {
  readonly #store: Pick<Store, 'dialect' | 'scim'>;
  readonly #max: number;
  readonly #entries = new Map<string, TranslatedFilter>();

  constructor(store: Pick<Store, 'dialect' | 'scim'>, max = MAX_FILTERS) {
    this.#store = store;
    this.#max = max;
  }

  /** The filter for `type`, translated for this store; throws the parser's or translator's error. */
  translated(type: ScimResourceType, filter: string): TranslatedFilter {
    const key = `${type.name}\u0000${filter}`;
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      // Re-inserted, so the Map's insertion order is the order of last use.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const { dialect, scim } = this.#store;
    const translated = translateFilter(parseFilter(filter), type.schema, dialect, scim.columnOf, { dataColumn: 'data' });
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, translated);
    return translated;
  }

  get size(): number {
    return this.#entries.size;
  }
}
