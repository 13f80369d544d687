import type { LinkedAccount } from '../core/types.js';
import type { LinkLookup } from './plan.js';

/**
 * Linked accounts by target, then identity: built once per plan from the
 * store's list, without a composite key per link. Answers the planner
 * (`lookup`), policy (`forIdentity`) and the safety thresholds (`totals`).
 */
export class LinkIndex {
  readonly #byTarget = new Map<string, Map<string, LinkedAccount>>();
  /** The planner's lookup, bound once. */
  readonly lookup: LinkLookup = (target, identityId) => this.#byTarget.get(target)?.get(identityId);

  constructor(links: Iterable<LinkedAccount>) {
    let target: string | undefined;
    let mine: Map<string, LinkedAccount> | undefined;
    for (const link of links) {
      if (link.target !== target) {
        target = link.target;
        mine = this.#byTarget.get(target);
        if (!mine) this.#byTarget.set(target, (mine = new Map()));
      }
      mine!.set(link.identityId, link);
    }
  }

  get(target: string, identityId: string): LinkedAccount | undefined {
    return this.#byTarget.get(target)?.get(identityId);
  }

  /** One identity's links by target id (what policy takes): a view, nothing is copied. */
  forIdentity(identityId: string): Pick<ReadonlyMap<string, LinkedAccount>, 'get'> {
    return { get: (target) => this.#byTarget.get(target)?.get(identityId) };
  }

  /** Linked accounts per target. */
  totals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const [target, links] of this.#byTarget) totals.set(target, links.size);
    return totals;
  }
}
