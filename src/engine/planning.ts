import { randomUUID } from 'node:crypto';
import type { RosterConfig } from '../config/types.js';
import type {
  DesiredAccount, Diagnostic, Hold, Identity, LinkedAccount, Plan,
} from '../core/types.js';
import { compilePolicy, UniqueIndex, type Policy } from '../policy/index.js';
import { plan as diffPlan } from '../planner/index.js';
import type { Store } from '../store/types.js';

/** Key of a link in the maps the planner takes. */
export const linkKey = (target: string, identityId: string): string => `${target}\u0000${identityId}`;

export interface PlanScope {
  /** Only these identities (HR push path, `--identity`). Undefined = everyone. */
  readonly identities?: readonly string[];
  readonly target?: string;
}

/**
 * Reads what the plan needs from the store and runs the pure stages (policy,
 * planner) over it. The only I/O here is reading the store.
 */
export class Planning {
  readonly policy: Policy;
  readonly #config: RosterConfig;
  readonly #store: Store;
  /** Linked-account counts per target from the last full read (threshold base on the fast path). */
  #totals: Map<string, number> | undefined;

  constructor(config: RosterConfig, store: Store) {
    this.#config = config;
    this.#store = store;
    this.policy = compilePolicy(config);
  }

  async compute(scope: PlanScope, now: Date): Promise<Plan> {
    const T = performance.now(); const lap = (m: string) => process.env.ROSTER_TRACE && console.error(m, (performance.now() - T).toFixed(0));
    const basis = await this.#store.state.serial();
    const identities = await this.#identities(scope);
    const subset = scope.identities !== undefined;
    const linkedList = subset
      ? (await Promise.all(identities.map((i) => this.#store.accounts.listByIdentity(i.id)))).flat()
      : await this.#store.accounts.listAll();
    lap('loaded identities+links');
    const needsAll = subset && this.#needsUniqueIndex(identities, linkedList);
    const allLinks = !subset || needsAll ? (subset ? await this.#store.accounts.listAll() : linkedList) : undefined;
    if (allLinks) this.#totals = countByTarget(allLinks);
    const totals = this.#totals ?? countByTarget(await this.#store.accounts.listAll());
    const unique = UniqueIndex.fromAccounts(allLinks ?? linkedList, this.#config);

    const byIdentity = new Map<string, Map<string, LinkedAccount>>();
    const linked = new Map<string, LinkedAccount>();
    for (const link of linkedList) {
      linked.set(linkKey(link.target, link.identityId), link);
      let mine = byIdentity.get(link.identityId);
      if (!mine) byIdentity.set(link.identityId, (mine = new Map()));
      mine.set(link.target, link);
    }
    lap('unique+maps');
    const managers = await this.#managers(identities, subset);
    const diagnostics: Diagnostic[] = [];
    const desired: DesiredAccount[] = [];
    const sorted = [...identities].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const identity of sorted) {
      const accounts = this.policy.desired(identity, {
        now,
        linked: byIdentity.get(identity.id) ?? new Map(),
        manager: managers.get(identity.id),
        unique,
        diagnostics,
        // Explanations are for `roster explain`; a plan does not carry them and they cost most of a no-change plan.
        explain: false,
      });
      for (const account of accounts) {
        if (scope.target === undefined || account.target === scope.target) desired.push(account);
      }
    }
    lap('policy');
    const p = diffPlan({
      id: randomUUID(),
      now,
      basis,
      desired,
      linked,
      targets: this.#config.targets,
      totals,
      holds: await this.#sourceHolds(),
      diagnostics,
    });
    lap('planner');
    return p;
  }

  /** Desired accounts of one identity (for explain). */
  async desiredFor(identity: Identity, now: Date): Promise<DesiredAccount[]> {
    const links = await this.#store.accounts.listByIdentity(identity.id);
    const all = this.#needsUniqueIndex([identity], links) ? await this.#store.accounts.listAll() : links;
    const managers = await this.#managers([identity], true);
    return this.policy.desired(identity, {
      now,
      linked: new Map(links.map((l) => [l.target, l])),
      manager: managers.get(identity.id),
      unique: UniqueIndex.fromAccounts(all, this.#config),
    });
  }

  async #identities(scope: PlanScope): Promise<Identity[]> {
    if (scope.identities === undefined) return this.#store.identities.list();
    return this.#store.identities.getMany(scope.identities);
  }

  /** A new account (no link yet) needs every taken value to pick a unique name. */
  #needsUniqueIndex(identities: readonly Identity[], links: readonly LinkedAccount[]): boolean {
    const have = new Set(links.map((l) => linkKey(l.target, l.identityId)));
    return identities.some((i) => this.#config.targets.some((t) => !have.has(linkKey(t.id, i.id))));
  }

  async #managers(identities: readonly Identity[], subset: boolean): Promise<Map<string, Identity>> {
    const fieldOf = new Map(this.#config.sources.map((s) => [s.id, s.fields.manager]));
    const wanted = new Map<string, string>();
    for (const identity of identities) {
      const field = fieldOf.get(identity.sourceId);
      const managerId = field === undefined ? undefined : identity.attributes[field];
      if (typeof managerId === 'string' && managerId !== '') wanted.set(identity.id, managerId);
    }
    const found = subset
      ? await this.#store.identities.getMany([...new Set(wanted.values())])
      : identities;
    const byId = new Map(found.map((i) => [i.id, i]));
    const result = new Map<string, Identity>();
    for (const [id, managerId] of wanted) {
      const manager = byId.get(managerId);
      if (manager) result.set(id, manager);
    }
    return result;
  }

  async #sourceHolds(): Promise<Hold[]> {
    const holds: Hold[] = [];
    for (const source of this.#config.sources) {
      const hold = await this.#store.state.get<Hold>(`hold:source:${source.id}`);
      if (hold) holds.push(hold);
    }
    return holds;
  }
}

function countByTarget(links: readonly LinkedAccount[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const link of links) totals.set(link.target, (totals.get(link.target) ?? 0) + 1);
  return totals;
}
