import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineMetrics } from '../engine/types.js';
import type { QueueStats, Store } from '../store/types.js';

/**
 * Prometheus metrics on a registry of our own (never the global default, so
 * two engines in one process, or tests, do not collide). The engine calls the
 * EngineMetrics methods; queue depth is read from the store at scrape time.
 */
export interface RosterMetrics extends EngineMetrics {
  readonly registry: Registry;
  /** Read queue depth per target from this store whenever /metrics is scraped. */
  watchQueue(store: Store, targets: readonly string[]): void;
}

const QUEUE_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const satisfies readonly (keyof QueueStats)[];

export function createMetrics(options: { readonly processMetrics?: boolean } = {}): RosterMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const applied = new Counter({
    name: 'roster_changes_applied_total',
    help: 'Changes applied to targets',
    labelNames: ['target'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'roster_changes_failed_total',
    help: 'Changes that failed for good',
    labelNames: ['target'] as const,
    registers: [registry],
  });
  const cycle = new Histogram({
    name: 'roster_cycle_duration_seconds',
    help: 'Duration of plan, apply, sync and ingest cycles',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  let watched: { readonly store: Store; readonly targets: readonly string[] } | undefined;
  new Gauge({
    name: 'roster_queue_depth',
    help: 'Jobs in the change queue by target and status',
    labelNames: ['target', 'status'] as const,
    registers: [registry],
    async collect() {
      if (watched === undefined) return;
      this.reset();
      for (const target of watched.targets) {
        const stats = await watched.store.queue.stats({ target });
        for (const status of QUEUE_STATUSES) this.set({ target, status }, stats[status]);
      }
    },
  });

  return {
    registry,
    changesApplied: (target) => applied.inc({ target }),
    changesFailed: (target) => failed.inc({ target }),
    cycleDuration: (kind, ms) => cycle.observe({ kind }, ms / 1000),
    watchQueue(store, targets) {
      watched = { store, targets };
    },
  };
}

/** The engine's metrics when they are ours (so /metrics shows what the engine counted). */
export function asRosterMetrics(metrics: EngineMetrics): RosterMetrics | undefined {
  const candidate = metrics as Partial<RosterMetrics>;
  return candidate.registry instanceof Registry && typeof candidate.watchQueue === 'function'
    ? (candidate as RosterMetrics)
    : undefined;
}
