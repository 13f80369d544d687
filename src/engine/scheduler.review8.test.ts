import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import type { Logger } from '../connectors/types.js';
import { silentLogger } from '../core/log.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { RosterEngine } from './engine.js';
import { Scheduler, TICK_MARK_KEY } from './scheduler.js';

/**
 * The scheduler's own rules for unattended runs, against a real SQLite store
 * (its marks and leases live in the state) and an engine stand-in that
 * records what it is asked to do.
 */
const source: SourceConfig = {
  id: 'hr', type: 'csv', path: './hr.csv', key: 'employeeId', delimiter: ',', complete: true, maxMissing: { percent: 20 },
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
};

const t = (minutes: number): Date => new Date(Date.UTC(2030, 0, 1, 0, minutes));

describe('Scheduler (review8)', () => {
  let dir: string | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function stand(overrides: Partial<Record<'dueSince' | 'reconcileIdentities' | 'readSource', (...args: never[]) => unknown>> = {}) {
    dir = mkdtempSync(join(tmpdir(), 'roster-review8-sched-'));
    store = await openStore('sqlite:./roster.db', { baseDir: dir });
    const spans: [string, string][] = [];
    const plans: string[] = [];
    const engine = {
      config: { sources: [source] },
      store,
      async dueSince(since: Date, now: Date) {
        spans.push([since.toISOString(), now.toISOString()]);
        return ['E1'];
      },
      async reconcileIdentities() { return {}; },
      plans,
      async plan() { plans.push('plan'); return { id: 'p', held: false, holds: [], changes: [] }; },
      async apply() { return {}; },
      async readSource(id: string) {
        return { sourceId: id, received: 0, created: 0, changed: 0, unchanged: 0, missing: 0, problems: [], events: [], affected: [] };
      },
      ...overrides,
    } as unknown as RosterEngine;
    return { engine, spans };
  }

  it('a tick that throws leaves its span to the next tick (the due identities are not lost)', async () => {
    let fail = true;
    const { engine, spans } = await stand({
      async reconcileIdentities() {
        if (fail) throw new Error('store unavailable');
        return {};
      },
    });
    let now = t(0);
    const scheduler = new Scheduler(engine, silentLogger, () => now);
    now = t(1);
    await expect(scheduler.tick()).rejects.toThrow('store unavailable');
    fail = false;
    now = t(2);
    expect(await scheduler.tick()).toBe(1);
    expect(spans).toEqual([[t(0).toISOString(), t(1).toISOString()], [t(0).toISOString(), t(2).toISOString()]]);
  });

  it('a clock that goes back never moves the mark back: no span is covered twice', async () => {
    const { engine, spans } = await stand();
    let now = t(0);
    const scheduler = new Scheduler(engine, silentLogger, () => now);
    now = t(10);
    await scheduler.tick();
    now = t(5); // NTP stepped the clock back
    expect(await scheduler.tick()).toBe(0);
    now = t(11);
    await scheduler.tick();
    expect(spans).toEqual([[t(0).toISOString(), t(10).toISOString()], [t(10).toISOString(), t(11).toISOString()]]);
    expect(await store!.state.get(TICK_MARK_KEY)).toEqual({ at: t(11).toISOString() });
  });

  it('a tick still running when the next is due is not run again beside it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let reconciles = 0;
    const { engine } = await stand({
      async reconcileIdentities() {
        reconciles += 1;
        await gate;
        return {};
      },
    });
    let now = t(0);
    const scheduler = new Scheduler(engine, silentLogger, () => now);
    now = t(1);
    const first = scheduler.tick();
    await new Promise((r) => setTimeout(r, 50));
    now = t(2);
    expect(await scheduler.tick()).toBe(0);
    release();
    expect(await first).toBe(1);
    expect(reconciles).toBe(1);
  });

  it('a run that throws is logged by its caller, gives its lease back, and the next run happens', async () => {
    let calls = 0;
    const { engine } = await stand({
      async readSource() {
        calls += 1;
        if (calls === 1) throw new Error('file unreadable');
        return { sourceId: 'hr', received: 0, created: 0, changed: 0, unchanged: 0, missing: 0, problems: [], events: [], affected: [] };
      },
    });
    const scheduler = new Scheduler(engine, silentLogger, () => new Date());
    await expect(scheduler.runSource(source)).rejects.toThrow('file unreadable');
    expect(await store!.state.get('lease:scheduler:source:hr')).toBeUndefined();
    await scheduler.runSource(source);
    expect(calls).toBe(2);
    // The failed run might have changed people before it threw: the next one planned and applied, then cleared its mark.
    expect((engine as unknown as { plans: string[] }).plans).toEqual(['plan']);
    expect(await store!.state.get('scheduler:pending:hr')).toBeUndefined();
  });

  it('stop() waits for the run in flight and starts none of the runs queued behind it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const events: string[] = [];
    const { engine } = await stand({
      async readSource() {
        events.push('read');
        await gate;
        events.push('read done');
        return { sourceId: 'hr', received: 0, created: 0, changed: 0, unchanged: 0, missing: 0, problems: [], events: [], affected: [] };
      },
    });
    const scheduler = new Scheduler(engine, silentLogger, () => new Date());
    const runs = [scheduler.runSource(source), scheduler.runSource(source)];
    await new Promise((r) => setTimeout(r, 50));
    const stopped = scheduler.stop().then(() => events.push('stopped'));
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['read']);
    release();
    await stopped;
    await Promise.all(runs);
    expect(events).toEqual(['read', 'read done', 'stopped']);
    await scheduler.runSource(source);
    expect(await scheduler.tick()).toBe(0);
    expect(events).toEqual(['read', 'read done', 'stopped']);
  });

  it('a source another process is running is skipped and said so, not queued behind it', async () => {
    const { engine } = await stand();
    await store!.state.set('lease:scheduler:source:hr', { holder: 'other-host:7', until: Date.now() + 60_000 });
    const said: string[] = [];
    const log: Logger = { ...silentLogger, info: (message: string) => { said.push(message); } };
    let reads = 0;
    (engine as unknown as { readSource: () => unknown }).readSource = () => { reads += 1; return {}; };
    await new Scheduler(engine, log, () => new Date()).runSource(source);
    expect(reads).toBe(0);
    expect(said).toEqual(['scheduled run skipped: another process is running this source']);
  });
});
