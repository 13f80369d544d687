import { Cron } from 'croner';
import type { SourceConfig } from '../config/types.js';
import type { Logger } from '../connectors/types.js';
import { DEFAULT_FULL_EVERY, isDirectorySource, type PassMode } from '../sources/index.js';
import type { RosterEngine } from './engine.js';

const TICK_MS = 60_000;

/**
 * The kind of pass the `run`-th scheduled run (1-based) of a source makes.
 * Files are always read whole. A directory source makes an incremental pass
 * on each run and a full one every `fullEvery`th run (default 12 when it has
 * no `fullSchedule`; with a `fullSchedule` only when `fullEvery` is set).
 * An incremental pass without a stored cursor is a full one anyway.
 */
export function scheduledPass(source: SourceConfig, run: number): PassMode {
  if (!isDirectorySource(source)) return 'full';
  const every = source.fullEvery ?? (source.fullSchedule === undefined ? DEFAULT_FULL_EVERY : undefined);
  return every !== undefined && run % every === 0 ? 'full' : 'incremental';
}

/**
 * Runs each source on its cron schedule (read, plan, apply unless held) and,
 * every minute, reconciles the identities whose dates took effect: a
 * future-dated hire's lead time, a start, a termination, a grace period.
 * A directory source also runs full passes on its `fullSchedule`. Passes of
 * one source run one after another, never at the same time (the cursor).
 */
export class Scheduler {
  readonly #engine: RosterEngine;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #jobs: Cron[] = [];
  readonly #runs = new Map<string, number>();
  readonly #queues = new Map<string, Promise<void>>();
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
      if (source.type === 'push') continue;
      const options = { protect: true, catch: (e: unknown) => this.#fail('source', e) };
      if (source.schedule !== undefined) this.#jobs.push(new Cron(source.schedule, options, () => this.runSource(source)));
      if (source.fullSchedule !== undefined && isDirectorySource(source)) {
        this.#jobs.push(new Cron(source.fullSchedule, options, () => this.runSource(source, 'full')));
      }
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

  /** One scheduled run of a source (the next in its count unless `mode` is given), after any run of it still going. */
  runSource(source: SourceConfig, mode?: PassMode): Promise<void> {
    const previous = this.#queues.get(source.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#runSource(source, mode ?? this.#nextPass(source)));
    this.#queues.set(source.id, next);
    return next;
  }

  #nextPass(source: SourceConfig): PassMode {
    const run = (this.#runs.get(source.id) ?? 0) + 1;
    this.#runs.set(source.id, run);
    return scheduledPass(source, run);
  }

  async #runSource(source: SourceConfig, mode: PassMode): Promise<void> {
    const ingest = await this.#engine.readSource(source.id, 'scheduler', { mode });
    if (ingest.affected.length === 0) return;
    const plan = await this.#engine.plan();
    if (plan.held) {
      this.#log.warn('plan held; not applied', { source: source.id, planId: plan.id, holds: plan.holds });
      return;
    }
    await this.#engine.apply(plan, { actor: 'scheduler' });
  }

  #fail(what: string, error: unknown): void {
    this.#log.error(`scheduled ${what} failed`, { error: error instanceof Error ? error.message : String(error) });
  }
}
