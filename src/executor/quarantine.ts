import type { Logger } from '../connectors/types.js';
import type { Store } from '../store/types.js';

export interface QuarantineRecord {
  readonly since: string;
  readonly reason: string;
  /** Who put it there by hand (`roster quarantine hold`); absent when repeated failures did. */
  readonly by?: string;
}

export const quarantineKey = (target: string): string => `quarantine:${target}`;

/**
 * Counts consecutive failures per target and quarantines a target once they
 * reach its threshold: the flag lives in the store's state (so every worker
 * sees it), the event in the audit log.
 */
export class QuarantineKeeper {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #actor: string;
  readonly #failures = new Map<string, number>();
  /** Targets this process put in quarantine (or saw there at its last check) and has not released since. */
  readonly #held = new Set<string>();

  constructor(store: Store, log: Logger, actor: string) {
    this.#store = store;
    this.#log = log;
    this.#actor = actor;
  }

  async isQuarantined(target: string): Promise<boolean> {
    const record = await this.#store.state.get<QuarantineRecord | null>(quarantineKey(target));
    return record !== undefined && record !== null;
  }

  /** The targets given that are not in quarantine. */
  async active(targets: Iterable<string>): Promise<Set<string>> {
    const active = new Set<string>();
    for (const target of targets) {
      if (await this.isQuarantined(target)) this.#held.add(target);
      else {
        this.#held.delete(target);
        active.add(target);
      }
    }
    return active;
  }

  /**
   * Whether the target is in quarantine as this process last knew it: read
   * synchronously before each job starts, so a claim that was under way when
   * the target was held (its jobs leased before the hold) starts none of them.
   */
  heldNow(target: string): boolean {
    return this.#held.has(target);
  }

  succeeded(target: string): void {
    this.#failures.set(target, 0);
  }

  /**
   * Count a failure; returns true when this one put the target in quarantine.
   * Reaching the threshold starts the count again, so a target released
   * (by this worker or any other process) takes `threshold` new failures to
   * go back. The flag is set atomically: of the failures (of any worker)
   * that reach the threshold together, one quarantines and audits it.
   */
  async failed(target: string, threshold: number, reason: string, now: Date): Promise<boolean> {
    const count = (this.#failures.get(target) ?? 0) + 1;
    this.#failures.set(target, count);
    if (count < threshold) return false;
    this.#failures.set(target, 0);
    const record: QuarantineRecord = { since: now.toISOString(), reason };
    if (!(await this.#setIfFree(target, record))) return false;
    await this.#store.audit.append([{ kind: 'target.quarantined', actor: this.#actor, target, data: { ...record, consecutiveFailures: count } }]);
    this.#log.warn('target quarantined', { target, consecutiveFailures: count, reason });
    return true;
  }

  /**
   * Put a target in quarantine by hand (an operator stops changes to a system
   * under maintenance, or an apply going wrong): no worker starts its jobs
   * until it is released; jobs already running finish, jobs leased and not
   * started are given back. Returns whether it was newly held; a target
   * already in quarantine keeps its record (and its reason).
   */
  async hold(target: string, actor: string, reason: string, now: Date): Promise<boolean> {
    const record: QuarantineRecord = { since: now.toISOString(), reason, by: actor };
    if (!(await this.#setIfFree(target, record))) return false;
    await this.#store.audit.append([{ kind: 'target.quarantined', actor, target, data: { since: record.since, reason, manual: true } }]);
    this.#log.warn('target put in quarantine by hand', { target, actor });
    return true;
  }

  /**
   * Set the flag unless the target is already in quarantine, atomically (of
   * several racing, one sets it): whether this call set it. Either way the
   * target is held as far as this process knows.
   */
  async #setIfFree(target: string, record: QuarantineRecord): Promise<boolean> {
    let mine = false;
    await this.#store.state.update<QuarantineRecord | null>(quarantineKey(target), (current) => {
      mine = current === undefined || current === null;
      return mine ? record : current;
    });
    this.#held.add(target);
    return mine;
  }

  /**
   * Lift the quarantine (an operator decided the target works again): its
   * pending changes run again, and it takes `threshold` new failures to go
   * back. Returns whether it was in quarantine; of releases racing, one
   * clears the flag and audits it (`actor`: who released it).
   */
  async release(target: string, actor = this.#actor): Promise<boolean> {
    this.#failures.set(target, 0);
    this.#held.delete(target);
    let held: QuarantineRecord | undefined;
    await this.#store.state.update<QuarantineRecord | null>(quarantineKey(target), (current) => {
      held = current ?? undefined;
      return undefined;
    });
    if (held === undefined) return false;
    await this.#store.audit.append([{ kind: 'target.released', actor, target, data: { quarantinedSince: held.since, reason: held.reason } }]);
    this.#log.info('target released from quarantine', { target });
    return true;
  }
}
