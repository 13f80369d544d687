import { randomUUID } from 'node:crypto';
import type { RosterConfig } from '../config/types.js';
import type { Logger } from '../connectors/types.js';
import type {
  DesiredAccount, Diagnostic, Hold, Identity, Plan,
} from '../core/types.js';
import { foldKey } from '../lifecycle/respelled.js';
import { compilePolicy, isUniqueMapping, UniqueIndex, type HeldValues, type Policy } from '../policy/index.js';
import { LinkIndex, plan as diffPlan, QueuedChanges, type WaitingChange } from '../planner/index.js';
import { claimQueued } from './queued-claims.js';
import { linksOf } from './subset-links.js';
import { referenceNotes } from './outside-reports.js';
import { safetyCounts, safetyHolds } from '../planner/safety.js';
import { readLearned, withLearnedHeld } from '../reconcile/learned.js';
import { ReconcileMemos } from '../reconcile/memo.js';
import { sharedSecretBox, type SecretBox } from '../core/secrets.js';
import { SecretAttributes } from './secret-attributes.js';
import type { Store } from '../store/types.js';
import { quarantineKey, type QuarantineRecord } from '../executor/quarantine.js';

export interface PlanScope {
  /** Only these identities (HR push path, `--identity`). Undefined = everyone. */
  readonly identities?: readonly string[];
  readonly target?: string;
}

const byId = (a: Identity, b: Identity): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Identities in id order (policy claims unique names in this order); the store's list usually already is. */
function inIdOrder(identities: Identity[]): Identity[] {
  for (let i = 1; i < identities.length; i++) {
    if (byId(identities[i - 1]!, identities[i]!) > 0) return [...identities].sort(byId);
  }
  return identities;
}

/**
 * Reads what the plan needs from the store and runs the pure stages (policy,
 * planner) over it. The only I/O here is reading the store.
 */
export class Planning {
  readonly policy: Policy;
  readonly #config: RosterConfig;
  readonly #store: Store;
  readonly #log: Logger | undefined;
  readonly #targetIds: readonly string[];
  /** Per target, the attributes a unique([...]) mapping picks (a link without a value picks one). */
  readonly #picked: ReadonlyMap<string, readonly string[]>;
  /** The threshold base the last plan was judged on. */
  #lastTotals: ReadonlyMap<string, number> = new Map();
  /** The store's secrets key, read once (core/secrets.ts). */
  #secretBox: Promise<SecretBox> | undefined;

  constructor(config: RosterConfig, store: Store, log?: Logger) {
    this.#config = config;
    this.#store = store;
    this.#log = log;
    this.#targetIds = config.targets.map((t) => t.id);
    this.#picked = new Map(config.targets.map((t) => [t.id, Object.keys(t.attributes).filter((name) => isUniqueMapping(t.attributes[name]!))]));
    this.policy = compilePolicy(config);
  }

  /** Linked accounts per target the last computed plan's limits were judged on (the safety window judges on the same). */
  get lastTotals(): ReadonlyMap<string, number> {
    return this.#lastTotals;
  }

  async compute(scope: PlanScope, now: Date): Promise<Plan> {
    const started = performance.now();
    const basis = await this.#store.state.serial();
    const identities = inIdOrder(await this.#identities(scope));
    const subset = scope.identities !== undefined;
    const linkedList = subset ? await linksOf(this.#store.accounts, identities.map((i) => i.id)) : await this.#store.accounts.listAll();
    const links = new LinkIndex(linkedList);
    const needsAll = subset && this.#needsUniqueIndex(identities, links);
    const allLinks = subset ? (needsAll ? await this.#store.accounts.listAll() : undefined) : linkedList;
    // The safety limits' base as it is now: every link read here, else counted in the store once the plan says
    // which targets it needs (a count kept from an earlier plan misses what other processes linked or unlinked since).
    const known = allLinks === undefined ? undefined : (subset ? new LinkIndex(allLinks) : links).totals();
    const memos = await ReconcileMemos.read(this.#store.state, this.#targetIds);
    const unique = UniqueIndex.fromAccounts(allLinks ?? linkedList, this.#config, await this.#held(memos, now));
    // A subset that picks new names reads the targets' whole queue: another person's waiting create may hold one.
    const { queued, waiting } = await this.#queued(scope, identities, needsAll);
    claimQueued(unique, waiting);
    const managerOf = await this.#managers(identities, subset);
    const managerLinks = await this.#managerLinks(identities, managerOf, subset ? undefined : links);
    const loaded = performance.now();

    const secrets = await this.#secretAttributes();
    const computed = desiredOf(this.policy, identities, {
      now, target: scope.target, links, managerOf, managerLinks, unique, memos, unreconciled: this.#unreconciled(memos),
    });
    const { diagnostics } = computed;
    const desired = secrets === undefined ? computed.desired : secrets.hide(computed.desired, (t, i) => links.get(t, i));
    const evaluated = performance.now();
    const upstream = await this.#sourceHolds();
    const diffed = diffPlan({
      id: randomUUID(),
      now,
      basis,
      desired,
      linked: links.lookup,
      targets: this.#config.targets,
      totals: known ?? new Map(),
      holds: upstream,
      diagnostics,
      queued,
    });
    const totals = known ?? await this.#counts([...safetyCounts(diffed.changes).keys()]);
    this.#lastTotals = totals;
    const planned = known === undefined && totals.size > 0 ? judgedOn(diffed, upstream, this.#config.targets, totals) : diffed;
    const sealed = secrets === undefined ? planned : { ...planned, changes: secrets.seal(planned.changes) };
    const deferred = await referenceNotes(this.#store, sealed.changes, this.policy, { identities, subset, managerOf, links, managerLinks }, this.#config.sources);
    const result = deferred.length === 0 ? sealed : { ...sealed, diagnostics: [...sealed.diagnostics, ...deferred] };
    this.#log?.debug('plan computed', {
      planId: result.id, identities: identities.length, links: linkedList.length, changes: result.changes.length,
      loadMs: Math.round(loaded - started), policyMs: Math.round(evaluated - loaded), diffMs: Math.round(performance.now() - evaluated),
    });
    return result;
  }

  /** The targets' secret attributes with the store's key; undefined when no target has any. */
  async #secretAttributes(): Promise<SecretAttributes | undefined> {
    if (!this.#config.targets.some((t) => (t.secrets?.length ?? 0) > 0)) return undefined;
    this.#secretBox ??= sharedSecretBox(this.#store.state).catch((error: unknown) => {
      this.#secretBox = undefined; // read again next time
      throw error;
    });
    return new SecretAttributes(await this.#secretBox, this.#config.targets);
  }

  /** Desired accounts of one identity (for explain): secret values shown as their fingerprints. */
  async desiredFor(identity: Identity, now: Date): Promise<DesiredAccount[]> {
    const secrets = await this.#secretAttributes();
    const desired = await this.#desiredFor(identity, now);
    if (secrets === undefined) return desired;
    const links = new LinkIndex(await this.#store.accounts.listByIdentity(identity.id));
    return secrets.hide(desired, (t, i) => links.get(t, i));
  }

  async #desiredFor(identity: Identity, now: Date): Promise<DesiredAccount[]> {
    const links = await this.#store.accounts.listByIdentity(identity.id);
    const all = this.#needsUniqueIndex([identity], new LinkIndex(links)) ? await this.#store.accounts.listAll() : links;
    const managerOf = await this.#managers([identity], true);
    const memos = await ReconcileMemos.read(this.#store.state, this.#targetIds);
    const manager = managerOf(identity);
    const managerLinks = await this.#managerLinks([identity], managerOf, undefined);
    return this.policy.desired(identity, {
      now,
      linked: new Map(links.map((l) => [l.target, l])),
      manager,
      ...(manager === undefined || managerLinks === undefined ? {} : { managerLinks: managerLinks.forIdentity(manager.id) }),
      unique: UniqueIndex.fromAccounts(all, this.#config, await this.#held(memos, now)),
      disputed: memos.disputed,
      orphaned: memos.orphaned,
    });
  }

  /**
   * Per target, the unique values nobody linked holds: those the last
   * reconcile pass saw on unlinked accounts, and those failed creates learnt
   * are taken where Roster cannot look (reconcile/learned.ts).
   */
  async #held(memos: ReconcileMemos, now: Date): Promise<Map<string, HeldValues>> {
    return withLearnedHeld(memos.held(), await readLearned(this.#store.state, this.#targetIds, now));
  }

  /**
   * Targets that say how to match existing accounts (`reconcile.match`) but
   * were never reconciled: what is already there is not known, so a create
   * could give someone a second account. Their creates wait for the first
   * `roster reconcile` (updates, disables and deletes of linked accounts go on).
   */
  #unreconciled(memos: ReconcileMemos): ReadonlySet<string> {
    return new Set(this.#config.targets.filter((t) => (t.reconcile?.match.length ?? 0) > 0 && !memos.has(t.id)).map((t) => t.id));
  }

  async #identities(scope: PlanScope): Promise<Identity[]> {
    if (scope.identities === undefined) return this.#store.identities.list();
    return this.#store.identities.getMany(scope.identities);
  }

  /**
   * A new account (no link yet), or a linked one without a value for a
   * unique([...]) mapping (one added to the target since), needs every taken
   * value to pick a unique name.
   */
  #needsUniqueIndex(identities: readonly Identity[], links: LinkIndex): boolean {
    return identities.some((i) => this.#targetIds.some((t) => {
      const link = links.get(t, i.id);
      if (link === undefined) return true;
      return (this.#picked.get(t) ?? []).some((name) => {
        const value = link.attributes[name];
        return typeof value !== 'string' || value.trim() === '';
      });
    }));
  }

  /**
   * Each identity's manager (the source's manager field names another
   * identity). Everyone is loaded already on a full plan; a subset reads the
   * managers it names.
   */
  async #managers(identities: readonly Identity[], subset: boolean): Promise<(identity: Identity) => Identity | undefined> {
    const fieldOf = new Map(this.#config.sources.map((s) => [s.id, s.fields.manager]));
    const managerIdOf = (identity: Identity): string | undefined => {
      const field = fieldOf.get(identity.sourceId);
      const managerId = field === undefined ? undefined : identity.attributes[field];
      return typeof managerId === 'string' && managerId !== '' ? managerId : undefined;
    };
    let candidates: readonly Identity[] = identities;
    if (subset) {
      const wanted = new Set<string>();
      for (const identity of identities) {
        const managerId = managerIdOf(identity);
        if (managerId !== undefined) wanted.add(managerId);
      }
      candidates = await this.#store.identities.getMany([...wanted]);
      const lacking = new Set([...wanted].filter((id) => !candidates.some((c) => c.id === id)).map(foldKey));
      if (lacking.size > 0) {
        // A manager key respelled in case or Unicode form (lifecycle/respelled.ts): its identity, by the source's ids folded.
        const ids = (await Promise.all([...new Set(identities.map((i) => i.sourceId))].map((sourceId) => this.#store.identities.listIds({ sourceId })))).flat();
        const more = ids.filter((id) => lacking.has(foldKey(id)) && !wanted.has(id));
        if (more.length > 0) candidates = [...candidates, ...await this.#store.identities.getMany(more)];
      }
    }
    const found = new Map<string, Identity>();
    for (const candidate of candidates) found.set(candidate.id, candidate);
    const keyed = await this.#managersByKey(identities, managerIdOf, found);
    let folded: Map<string, Identity | null> | undefined;
    const respelled = (managerId: string): Identity | undefined => {
      if (folded === undefined) {
        folded = new Map();
        for (const candidate of candidates) {
          const key = foldKey(candidate.id);
          folded.set(key, folded.has(key) ? null : candidate);
        }
      }
      return folded.get(foldKey(managerId)) ?? undefined; // null: two ids fold alike, neither is taken
    };
    return (identity) => {
      const managerId = managerIdOf(identity);
      return managerId === undefined ? undefined : found.get(managerId) ?? keyed.get(managerId) ?? respelled(managerId);
    };
  }

  /**
   * Managers named by a key that is no identity's id: a person rehired under a
   * new key (fields.previousKey, lifecycle/continued.ts) keeps their id, and
   * their reports' manager column names the new key. Read through the stored
   * identity keys (almost always none: one indexed read of the ids not found).
   */
  async #managersByKey(
    identities: readonly Identity[], managerIdOf: (identity: Identity) => string | undefined, found: ReadonlyMap<string, Identity>,
  ): Promise<Map<string, Identity>> {
    const unknown = new Set<string>();
    for (const identity of identities) {
      const managerId = managerIdOf(identity);
      if (managerId !== undefined && !found.has(managerId)) unknown.add(managerId);
    }
    const keyed = new Map<string, Identity>();
    if (unknown.size === 0) return keyed;
    const rows = await this.#store.identities.listKeys({ keys: [...unknown] });
    const lacking = [...new Set(rows.map((k) => k.identityId))].filter((id) => !found.has(id));
    const read = new Map((lacking.length === 0 ? [] : await this.#store.identities.getMany(lacking)).map((i) => [i.id, i]));
    for (const row of rows) {
      const manager = found.get(row.identityId) ?? read.get(row.identityId);
      if (manager !== undefined) keyed.set(row.key, manager);
    }
    return keyed;
  }

  /**
   * The links `managerAccount` reads: none when no mapping reads it; the plan's
   * own index when it holds every link; else the managers' links, read.
   */
  async #managerLinks(identities: readonly Identity[], managerOf: (identity: Identity) => Identity | undefined, all: LinkIndex | undefined): Promise<LinkIndex | undefined> {
    if (!this.policy.usesManagerAccount) return undefined;
    if (all !== undefined) return all;
    const managers = new Set<string>();
    for (const identity of identities) {
      const manager = managerOf(identity);
      if (manager !== undefined) managers.add(manager.id);
    }
    return new LinkIndex(await linksOf(this.#store.accounts, [...managers]));
  }

  /** Links per target of these targets, counted in the store now (one indexed count each). */
  async #counts(targets: readonly string[]): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (const target of targets) totals.set(target, await this.#store.accounts.count(target));
    return totals;
  }

  /**
   * The changes earlier plans have waiting for the planned accounts (a
   * subset's, by their ordering keys) or targets: the plan does not enqueue
   * them again. One read; the queue's unfinished jobs are few unless a
   * target is quarantined or a big plan is still being applied.
   */
  async #queued(scope: PlanScope, identities: readonly Identity[], wholeTargets: boolean): Promise<{ queued: QueuedChanges; waiting: readonly WaitingChange[] }> {
    const targets = scope.target === undefined ? this.#targetIds : this.#targetIds.filter((t) => t === scope.target);
    const keys = scope.identities !== undefined && !wholeTargets && identities.length * targets.length <= MAX_KEYS_READ
      ? identities.flatMap((i) => targets.map((t) => `${t}:${i.id}`))
      : undefined;
    const waiting = await this.#store.queue.unfinishedChanges(keys === undefined ? { targets } : { orderingKeys: keys });
    const quarantined = new Set<string>();
    for (const target of new Set(waiting.map((w) => w.change.target))) {
      const record = await this.#store.state.get<QuarantineRecord | null>(quarantineKey(target));
      if (record !== undefined && record !== null) quarantined.add(target);
    }
    return { queued: new QueuedChanges(waiting, quarantined), waiting };
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

/** Most accounts a subset plan reads the queued changes of one by one (their ordering keys); more read their targets'. */
const MAX_KEYS_READ = 1000;

/** The plan with its holds made again on `totals`: the upstream ones and the safety limits, as the planner makes them. */
function judgedOn(plan: Plan, upstream: readonly Hold[], targets: RosterConfig['targets'], totals: ReadonlyMap<string, number>): Plan {
  const holds = [...upstream, ...safetyHolds(plan.changes, targets, totals)];
  return { ...plan, held: holds.length > 0, holds };
}

interface PolicyInputs {
  readonly now: Date;
  /** Only this target's accounts (undefined: every target). */
  readonly target: string | undefined;
  readonly links: LinkIndex;
  readonly managerOf: (identity: Identity) => Identity | undefined;
  readonly managerLinks: LinkIndex | undefined;
  readonly unique: UniqueIndex;
  readonly memos: ReconcileMemos;
  readonly unreconciled: ReadonlySet<string>;
}

/**
 * Policy over the identities: their desired accounts, and the diagnostics.
 * A function of its own (not inline in `compute`): its loop is what V8
 * optimises while it runs, and the optimised code then does not stop at the
 * rest of `compute`, code that never ran before and would throw it away.
 */
function desiredOf(policy: Policy, identities: readonly Identity[], inputs: PolicyInputs): { desired: DesiredAccount[]; diagnostics: Diagnostic[] } {
  const { now, target, links, managerOf, managerLinks, unique, memos, unreconciled } = inputs;
  const diagnostics: Diagnostic[] = [];
  const desired: DesiredAccount[] = [];
  const held = new Map<string, number>();
  for (const identity of identities) {
    const manager = managerOf(identity);
    const accounts = policy.desired(identity, {
      now,
      linked: links.forIdentity(identity.id),
      manager,
      ...(manager === undefined || managerLinks === undefined ? {} : { managerLinks: managerLinks.forIdentity(manager.id) }),
      unique,
      disputed: memos.disputed,
      orphaned: memos.orphaned,
      diagnostics,
      // Explanations are for `roster explain`; a plan does not carry them and they cost most of a no-change plan.
      explain: false,
    });
    for (const account of accounts) {
      if (target !== undefined && account.target !== target) continue;
      if (account.present && unreconciled.has(account.target) && links.get(account.target, account.identityId) === undefined) {
        held.set(account.target, (held.get(account.target) ?? 0) + 1);
        continue;
      }
      desired.push(account);
    }
  }
  for (const [id, creates] of held) diagnostics.push(reconcileFirst(id, creates));
  return { desired, diagnostics };
}

/** The plan diagnostic of a target whose creates wait for its first reconcile pass. */
function reconcileFirst(target: string, creates: number): Diagnostic {
  return {
    severity: 'warning',
    code: RECONCILE_REQUIRED,
    target,
    message: `${creates} ${creates === 1 ? 'create' : 'creates'} in ${target} held: the target has reconcile.match rules and was never reconciled, ` +
      `so the accounts already there are not known and a create could give someone a second account; ` +
      `run roster reconcile --target ${target} first (it links what is there and creates nothing)`,
  };
}

/** Diagnostic code of creates held until a target's first reconcile pass. */
export const RECONCILE_REQUIRED = 'reconcile.required';
