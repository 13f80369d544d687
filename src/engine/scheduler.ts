import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import type { SourceConfig } from '../config/types.js';
import type { Logger } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import { DEFAULT_FULL_EVERY, isDirectorySource, type PassMode } from '../sources/index.js';
import type { RosterEngine } from './engine.js';
import { StoreLease } from './lease.js';
import type { ApplyResult, IngestResult } from './types.js';

const TICK_MS = 60_000;

/** How many times a scheduled run plans again when its plan went stale before the apply. */
const STALE_RETRIES = 3;

/** The state key saying a source's read changed people whose plan was not applied yet. */
export const pendingKey = (source: string): string => `scheduler:pending:${source}`;

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

/** The state key of the tick's mark: the end of the last span of time whose due dates were reconciled (shared by every process). */
export const TICK_MARK_KEY = 'scheduler:tick';

/** The state key of when the last scheduled reconcile of a target that ended well started (any process). */
export const reconciledKey = (target: string): string => `scheduler:reconciled:${target}`;

/** The same for a source's scheduled runs (`schedule`, or `fullSchedule` with `full`). */
export const sourceRanKey = (source: string, full: boolean): string => `scheduler:ran:${source}${full ? ':full' : ''}`;

/** A cron firing of a scheduled job: its schedule, the state key its runs are marked under, and what a skipped one logs. */
interface Firing {
  readonly key: string;
  readonly schedule: string | undefined;
  readonly skipped: string;
}

/** The state key of a scheduled job's lease (engine/lease.ts). */
export const schedulerLeaseKey = (job: string): string => `lease:scheduler:${job}`;

/**
 * Runs each source on its cron schedule (read, plan, apply unless held) and,
 * every minute, reconciles the identities whose dates took effect: a
 * future-dated hire's lead time, a start, a termination, the end of a delete
 * grace (from the end date, from a disable: a termination entered late, or
 * from leaving a target's scope; engine/due.ts).
 * A directory source also runs full passes on its `fullSchedule`. Passes of
 * one source run one after another, never at the same time (the cursor).
 * A target with a `reconcile.schedule` is reconciled on it, then planned and
 * applied (runReconcile): hand-made drift is found and put back unattended.
 *
 * Unattended, and maybe in several processes on one store: each run of a
 * source and each tick holds a lease in the store (engine/lease.ts), so no
 * two processes run it at once (the other one skips it; a crashed holder's
 * lease runs out). The tick covers the time since the mark the last
 * successful tick stored, by any process: dates that passed while serve was
 * down, or during a tick that failed (retried on the next), are not missed,
 * and a clock that goes back never moves the mark back (nothing is done
 * twice). A tick still running when the next is due is not doubled; stop()
 * starts nothing new and waits for the runs in flight.
 */
export class Scheduler {
  readonly #engine: RosterEngine;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #jobs: Cron[] = [];
  /** What each of #jobs runs: `<source id>` or `<source id>:full`. */
  readonly #jobNames: string[] = [];
  readonly #runs = new Map<string, number>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  /** Where the first tick starts when no process ever stored a mark. */
  readonly #startedAt: Date;
  #tick: NodeJS.Timeout | undefined;
  #ticking: Promise<number> | undefined;
  #stopped = false;

  constructor(engine: RosterEngine, log: Logger, now: () => Date) {
    this.#engine = engine;
    this.#log = log;
    this.#now = now;
    this.#startedAt = now();
  }

  start(): void {
    if (this.#stopped) return;
    const timezone = scheduleTimeZone(this.#engine.config);
    for (const source of this.#engine.config.sources) {
      if (source.type === 'push') continue;
      const options = { protect: true, timezone, catch: (e: unknown) => this.#fail('source', e, { source: source.id }) };
      if (source.schedule !== undefined) {
        this.#jobs.push(new Cron(source.schedule, options, () => this.runSource(source, undefined, { scheduled: true })));
        this.#jobNames.push(source.id);
      }
      if (source.fullSchedule !== undefined && isDirectorySource(source)) {
        this.#jobs.push(new Cron(source.fullSchedule, options, () => this.runSource(source, 'full', { scheduled: true })));
        this.#jobNames.push(`${source.id}:full`);
      }
    }
    for (const target of this.#engine.config.targets) {
      const schedule = target.reconcile?.schedule;
      if (schedule === undefined) continue;
      const said = { target: target.id };
      // A run that comes due while the pass before it still goes is skipped (croner's protect), and said.
      const protect = () => this.#log.warn('scheduled reconcile skipped: the previous pass is still running', said);
      this.#jobs.push(new Cron(schedule, { protect, timezone, catch: (e: unknown) => this.#fail('reconcile', e, said) }, () => this.runReconcile(target.id, { scheduled: true })));
      this.#jobNames.push(`reconcile:${target.id}`);
    }
    this.#tick = setInterval(() => void this.tick().catch((e) => this.#fail('tick', e)), TICK_MS);
    this.#tick.unref();
  }

  /**
   * When each started schedule fires next after the (injected) clock's now, or
   * after `from`: what `roster serve` will do and when, in UTC instants.
   */
  nextRuns(from: Date = this.#now()): { readonly job: string; readonly at: Date | undefined }[] {
    return this.#jobs.map((job, i) => ({ job: this.#jobNames[i] ?? '', at: job.nextRun(from) ?? undefined }));
  }

  /**
   * One scheduled reconcile of a target (`reconcile.schedule`), after any
   * still going, under a store lease: the pass (links, drift read into the
   * links, the `orphans:` action unless a safety limit or a short read holds
   * it: never forced), then a plan of everyone applied unless held, so what
   * someone changed by hand in the target is put back. `scheduled` (the
   * cron's firing): skipped when a pass of any process started at or after
   * the time this firing is for (reconciledKey), so a process whose
   * schedule fires late (a busy event loop, a clock a little behind) does
   * not make the pass again once another has finished it.
   */
  runReconcile(targetId: string, options: { readonly scheduled?: boolean } = {}): Promise<void> {
    return this.#serially(`reconcile:${targetId}`, async () => {
      const schedule = this.#engine.config.targets.find((t) => t.id === targetId)?.reconcile?.schedule;
      const firing = options.scheduled === true ? { key: reconciledKey(targetId), schedule, skipped: 'scheduled reconcile skipped: another process made this pass already' } : undefined;
      const held = await this.#lease(`reconcile:${targetId}`).run(() => this.#oncePerFiring(firing, { target: targetId }, () => this.#reconcile(targetId)), this.#log);
      if (held === undefined) this.#log.info('scheduled reconcile skipped: another process is reconciling this target', { target: targetId });
    });
  }

  /** Stop the schedules; resolves once the runs and the tick in flight have ended (runs still queued do not start). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const job of this.#jobs) job.stop();
    if (this.#tick) clearInterval(this.#tick);
    await Promise.allSettled([...this.#queues.values(), ...(this.#ticking ? [this.#ticking] : [])]);
  }

  /**
   * Reconcile identities whose dates took effect since the stored mark (how
   * many were due). 0 without doing anything when a tick is still running
   * here or in another process: the next one covers the time.
   */
  tick(): Promise<number> {
    if (this.#stopped || this.#ticking !== undefined) return Promise.resolve(0);
    const ticking = this.#lease('tick').run(() => this.#dueReconcile(), this.#log)
      .then((held) => held?.value ?? 0)
      .finally(() => { this.#ticking = undefined; });
    this.#ticking = ticking;
    return ticking;
  }

  async #dueReconcile(): Promise<number> {
    const state = this.#engine.store.state;
    const now = this.#now();
    const since = markOf(await state.get(TICK_MARK_KEY)) ?? this.#startedAt;
    // A clock gone back: that time was covered already; the mark stays until the clock passes it.
    if (now.getTime() <= since.getTime()) return 0;
    const due = await this.#engine.dueSince(since, now);
    if (due.length > 0) await this.#engine.reconcileIdentities(due, 'scheduler');
    // Only once they are reconciled: a tick that throws leaves them to the next.
    await state.set(TICK_MARK_KEY, { at: now.toISOString() });
    return due.length;
  }

  /**
   * One scheduled run of a source (the next in its count unless `mode` is
   * given), after any run of it still going. `scheduled` (the cron's firing):
   * skipped when another process already ran it for this firing (see
   * #oncePerFiring).
   */
  runSource(source: SourceConfig, mode?: PassMode, options: { readonly scheduled?: boolean } = {}): Promise<void> {
    return this.#serially(source.id, async () => {
      const pass = mode ?? this.#nextPass(source);
      const full = mode === 'full';
      const firing = options.scheduled === true
        ? { key: sourceRanKey(source.id, full), schedule: full ? source.fullSchedule : source.schedule, skipped: 'scheduled run skipped: another process made this run already' }
        : undefined;
      const said = { source: source.id, mode: pass };
      const held = await this.#lease(`source:${source.id}`).run(() => this.#oncePerFiring(firing, said, () => this.#runSource(source, pass)), this.#log);
      if (held === undefined) this.#log.info('scheduled run skipped: another process is running this source', said);
    });
  }

  /** Run `work` after the runs queued under `name` (nothing once stopped). */
  #serially(name: string, work: () => Promise<void>): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const previous = this.#queues.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      if (!this.#stopped) await work();
    });
    this.#queues.set(name, next);
    void next.catch(() => undefined).then(() => {
      if (this.#queues.get(name) === next) this.#queues.delete(name);
    });
    return next;
  }

  #lease(job: string): StoreLease {
    return new StoreLease({ state: this.#engine.store.state, key: schedulerLeaseKey(job), holder: this.#holder, now: this.#now });
  }

  #nextPass(source: SourceConfig): PassMode {
    const run = (this.#runs.get(source.id) ?? 0) + 1;
    this.#runs.set(source.id, run);
    return scheduledPass(source, run);
  }

  /**
   * Read the source; when that changed anyone (now, or in an earlier run whose
   * changes were never applied: the source's pending mark, kept in the store
   * from before the read, so a crash or a failed run loses nothing), plan
   * everyone and apply. A plan gone stale before its apply (an HR push, another
   * process) is made again, up to STALE_RETRIES times.
   */
  async #runSource(source: SourceConfig, mode: PassMode): Promise<void> {
    const started = performance.now();
    const state = this.#engine.store.state;
    const key = pendingKey(source.id);
    const pending = await state.get(key) !== undefined;
    if (!pending) await state.set(key, { since: this.#now().toISOString() });
    const ingest = await this.#engine.readSource(source.id, 'scheduler', { mode });
    if (ingest.affected.length === 0 && !pending) {
      await state.set(key, undefined);
      this.#log.info('scheduled source run', sourceRunFields(source.id, mode, ingest, started));
      return;
    }
    const applied = await this.#planAndApply({ source: source.id });
    await state.set(key, undefined);
    const outcome = applied === undefined ? {} : { planId: applied.planId, applied: applied.applied, failed: applied.failed };
    this.#log.info('scheduled source run', { ...sourceRunFields(source.id, mode, ingest, started), ...outcome });
  }

  /**
   * Under the lease: `work`, unless a cron firing (`firing`: its schedule and
   * the state key its runs are marked under) finds that a run of any process
   * started after the schedule's previous time (no time of the schedule has
   * come since that run started: it was this firing's) — a process whose
   * schedule fires late (a busy event loop, a clock a little behind) does not
   * run it again once another has finished it. A run that ends well is
   * marked with when it started; one that fails is not, so a later firing
   * elsewhere tries again.
   */
  async #oncePerFiring(firing: Firing | undefined, said: Record<string, string>, work: () => Promise<void>): Promise<void> {
    const state = this.#engine.store.state;
    const started = this.#now();
    const schedule = firing?.schedule;
    if (firing !== undefined && schedule !== undefined) {
      const last = markOf(await state.get(firing.key));
      const next = last === undefined ? null : new Cron(schedule, { timezone: scheduleTimeZone(this.#engine.config) }).nextRun(last);
      if (last !== undefined && (next === null || next.getTime() > started.getTime())) {
        this.#log.info(firing.skipped, { ...said, at: last.toISOString() });
        return;
      }
    }
    await work();
    if (firing !== undefined && schedule !== undefined) await state.set(firing.key, { at: started.toISOString() });
  }

  /** The pass of a scheduled reconcile, then a plan of everyone (see runReconcile). */
  async #reconcile(targetId: string): Promise<void> {
    const report = await this.#engine.reconcile(targetId, { actor: 'scheduler', apply: true });
    const said = {
      target: targetId, accounts: report.accounts, matched: report.matched.length, orphans: report.orphans.length,
      disputed: report.disputed.length, vanished: report.vanished.length, misplaced: report.misplaced?.length ?? 0,
    };
    this.#log.info('scheduled reconcile', said);
    // What an operator must settle: the CLI would exit 1 for each (roster reconcile).
    for (const warning of report.warnings ?? []) this.#log.warn(`scheduled reconcile: ${warning}`, { target: targetId });
    if (report.createsHeld !== undefined) this.#log.warn(`scheduled reconcile: ${report.createsHeld}`, { target: targetId });
    if (report.vanishedHeld !== undefined) this.#log.warn(`scheduled reconcile: ${report.vanishedHeld.hold.message}; links kept`, { target: targetId });
    if (report.disputed.length > 0) this.#log.warn('scheduled reconcile: disputed accounts are never acted on; settle them with roster reconcile --link', { target: targetId, disputed: report.disputed.map((d) => d.accountId) });
    if (report.plan.changes.length > 0 && report.result === undefined) {
      this.#log.warn('scheduled reconcile: orphan actions held; not applied (roster reconcile --target to review them)', { target: targetId, planId: report.plan.id, holds: report.plan.holds });
    }
    const applied = await this.#planAndApply({ target: targetId });
    // What the pass put back (a value or a membership changed by hand, an entry moved): otherwise only the directory shows it.
    if (applied !== undefined && applied.applied + applied.failed > 0) {
      this.#log.info('scheduled reconcile: plan applied', { target: targetId, planId: applied.planId, applied: applied.applied, failed: applied.failed });
    }
  }

  /**
   * Plan everyone and apply, unless the plan is held: held plans wait for an
   * operator (roster apply --force), not for the next run (undefined then;
   * otherwise the apply's result). A plan gone stale
   * before its apply (an HR push, another process) is made again, up to
   * STALE_RETRIES times.
   */
  async #planAndApply(context: Record<string, string>): Promise<ApplyResult | undefined> {
    for (let attempt = 1; ; attempt++) {
      const plan = await this.#engine.plan();
      if (plan.held) {
        this.#log.warn('plan held; not applied', { ...context, planId: plan.id, holds: plan.holds });
        return undefined;
      }
      try {
        return await this.#engine.apply(plan, { actor: 'scheduler' });
      } catch (error) {
        if (error instanceof RosterError && error.code === 'plan.stale' && attempt < STALE_RETRIES) continue;
        throw error;
      }
    }
  }


  #fail(what: string, error: unknown, fields: Record<string, string> = {}): void {
    const code = error instanceof RosterError ? { code: error.code } : {};
    this.#log.error(`scheduled ${what} failed`, { ...fields, ...code, error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * What a scheduled source run logs at info, as the scheduled reconcile does:
 * the pass it made (an incremental one without a stored cursor reads in full),
 * counts and the time taken; never a person's key or attributes (personal
 * data: the audit log holds them). `leavers`: terminations the read recorded
 * that take effect now (a future end date is a leaver to come, not counted).
 */
function sourceRunFields(source: string, asked: PassMode, ingest: IngestResult, started: number): Record<string, unknown> {
  const leavers = ingest.events.filter((e) => e.kind === 'leaver' && !e.reasons.includes('leaver.future_dated')).length;
  return {
    source, mode: ingest.mode ?? asked, received: ingest.received, new: ingest.created, changed: ingest.changed, missing: ingest.missing,
    leavers, problems: ingest.problems.length, ms: Math.round(performance.now() - started),
  };
}

/**
 * The zone cron schedules are read in: `lifecycle.timezone` (default UTC), the
 * zone HR dates are read in, never the host's, so every process on every host
 * fires at the same instants (`0 9 * * *` in Europe/Berlin is 08:00Z in winter).
 */
export function scheduleTimeZone(config: { readonly lifecycle?: { readonly timezone?: string } }): string {
  return config.lifecycle?.timezone ?? 'UTC';
}

/** The stored tick mark as a date (anything malformed: none). */
function markOf(value: unknown): Date | undefined {
  const at = (value as { at?: unknown } | null | undefined)?.at;
  if (typeof at !== 'string') return undefined;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
