import type { LinkedAccount } from '../core/types.js';
import type { LinkLookup } from './plan.js';

type ByIdentity = Map<string, LinkedAccount>;

/** One identity's links by target id, as policy reads them: a view over the index, nothing copied. */
class IdentityLinks {
  readonly #index: LinkIndex;
  readonly #identityId: string;

  constructor(index: LinkIndex, identityId: string) {
    this.#index = index;
    this.#identityId = identityId;
  }

  get(target: string): LinkedAccount | undefined {
    return this.#index.get(target, this.#identityId);
  }
}

/**
 * Linked accounts by target, then identity: built once per plan from the
 * store's list, without a composite key per link. Answers the planner
 * (`lookup`), policy (`forIdentity`) and the safety thresholds (`totals`).
 */
export class LinkIndex {
  /** Few targets: a short list beats hashing the target name on every lookup. */
  readonly #targets: string[] = [];
  readonly #maps: ByIdentity[] = [];
  /** The planner's lookup, bound once. */
  readonly lookup: LinkLookup;

  constructor(links: Iterable<LinkedAccount>) {
    let target: string | undefined;
    let mine: ByIdentity | undefined;
    for (const link of links) {
      if (link.target !== target) {
        target = link.target;
        mine = this.#mapOf(target, true);
      }
      mine!.set(link.identityId, link);
    }
    this.lookup = this.get.bind(this);
  }

  #mapOf(target: string, create: boolean): ByIdentity | undefined {
    const targets = this.#targets;
    for (let i = 0; i < targets.length; i++) if (targets[i] === target) return this.#maps[i];
    if (!create) return undefined;
    const map: ByIdentity = new Map();
    targets.push(target);
    this.#maps.push(map);
    return map;
  }

  get(target: string, identityId: string): LinkedAccount | undefined {
    return this.#mapOf(target, false)?.get(identityId);
  }

  /** One identity's links by target id (what policy takes). */
  forIdentity(identityId: string): Pick<ReadonlyMap<string, LinkedAccount>, 'get'> {
    return new IdentityLinks(this, identityId);
  }

  /** Linked accounts per target. */
  totals(): Map<string, number> {
    const totals = new Map<string, number>();
    this.#targets.forEach((target, i) => totals.set(target, this.#maps[i]!.size));
    return totals;
  }
}
