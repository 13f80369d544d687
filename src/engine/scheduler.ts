import { Cron } from 'croner';
import type { Logger } from '../connectors/types.js';
import type { RosterEngine } from './engine.js';

const TICK_MS = 60_000;

/**
 * Runs each file source on its cron schedule (read, plan, apply unless held)
 * and, every minute, reconciles the identities whose dates took effect: a
 * future-dated hire's lead time, a start, a termination, a grace period.
 */
export class Scheduler {
  readonly #engine: RosterEngine;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #jobs: Cron[] = [];
  #tick: NodeJS.Timeout | undefined;
  #lastTick: Date;

  constructor(engine: RosterEngine, log: Logger, now: () => Date) {
    this.#engine = engine;
    this.#log = log;
    this.#now = now;
    this.#lastTick = now();
  }

  start(): void {
    for (const source of this.#engine.config.sources) {
      if (source.schedule === undefined || source.type === 'push') continue;
      this.#jobs.push(new Cron(source.schedule, { protect: true, catch: (e) => this.#fail('source', e) }, () => this.#runSource(source.id)));
    }
    this.#tick = setInterval(() => void this.tick().catch((e) => this.#fail('tick', e)), TICK_MS);
    this.#tick.unref();
  }

  stop(): void {
    for (const job of this.#jobs) job.stop();
    if (this.#tick) clearInterval(this.#tick);
  }

  /** Reconcile identities whose dates took effect since the last tick. */
  async tick(): Promise<number> {
    const now = this.#now();
    const due = await this.#engine.dueSince(this.#lastTick, now);
    this.#lastTick = now;
    if (due.length > 0) await this.#engine.reconcileIdentities(due, 'scheduler');
    return due.length;
  }

  async #runSource(sourceId: string): Promise<void> {
    const ingest = await this.#engine.readSource(sourceId, 'scheduler');
    if (ingest.affected.length === 0) return;
    const plan = await this.#engine.plan();
    if (plan.held) {
      this.#log.warn('plan held; not applied', { source: sourceId, planId: plan.id, holds: plan.holds });
      return;
    }
    await this.#engine.apply(plan, { actor: 'scheduler' });
  }

  #fail(what: string, error: unknown): void {
    this.#log.error(`scheduled ${what} failed`, { error: error instanceof Error ? error.message : String(error) });
  }
}
