import { describe, expect, it } from 'vitest';
import type { QueueStats, Store } from '../store/types.js';
import { asRosterMetrics, createMetrics } from './metrics.js';

describe('createMetrics', () => {
  it('counts changes and cycle durations on its own registry, with process metrics', async () => {
    const metrics = createMetrics();
    metrics.changesApplied('ldap');
    metrics.changesApplied('ldap');
    metrics.changesFailed('app');
    metrics.cycleDuration('sync', 1500);
    const text = await metrics.registry.metrics();
    expect(text).toContain('roster_changes_applied_total{target="ldap"} 2');
    expect(text).toContain('roster_changes_failed_total{target="app"} 1');
    expect(text).toContain('roster_cycle_duration_seconds_sum{kind="sync"} 1.5');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(await createMetrics({ processMetrics: false }).registry.metrics()).not.toContain('roster_changes_applied_total{target="ldap"}');
  });

  it('reads queue depth per target and status from the store at scrape time', async () => {
    const stats: Record<string, QueueStats> = { app: { pending: 3, running: 1, done: 10, failed: 0, cancelled: 0 }, ldap: { pending: 0, running: 0, done: 2, failed: 5, cancelled: 7 } };
    // A stub with only the one method the gauge calls.
    const store = { queue: { stats: async (o?: { target?: string }) => stats[o?.target ?? ''] } } as unknown as Store;
    const metrics = createMetrics({ processMetrics: false });
    metrics.watchQueue(store, ['app', 'ldap']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('roster_queue_depth{target="app",status="pending"} 3');
    expect(text).toContain('roster_queue_depth{target="ldap",status="failed"} 5');
    expect(text).toContain('roster_queue_depth{target="ldap",status="cancelled"} 7');
    stats.app = { pending: 0, running: 0, done: 14, failed: 0, cancelled: 0 };
    expect(await metrics.registry.metrics()).toContain('roster_queue_depth{target="app",status="pending"} 0');
  });

  it('recognises its own metrics and nothing else', () => {
    expect(asRosterMetrics(createMetrics({ processMetrics: false }))).toBeDefined();
    expect(asRosterMetrics({ changesApplied() {}, changesFailed() {}, cycleDuration() {} })).toBeUndefined();
  });
});
