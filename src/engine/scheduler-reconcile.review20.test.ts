import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { RosterEngine } from './engine.js';
import { reconciledKey, Scheduler } from './scheduler.js';

/**
 * A target's `reconcile.schedule` fired in two `roster serve` processes on
 * one store, one of them late (a busy event loop, a clock a little behind):
 * the pass is made once per time of the schedule, not once per process. An
 * engine stand-in records the passes; the store (SQLite) is real, shared.
 */
describe('Scheduler: one scheduled reconcile per time of the schedule, across processes (review20)', () => {
  let dir: string | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A process: its own store handle on the shared file, and an engine that counts passes (`fail`: the pass throws). */
  async function serveProcess(passes: string[], options: { fail?: () => boolean } = {}) {
    dir ??= mkdtempSync(join(tmpdir(), 'roster-sched-slot-'));
    const store = await openStore('sqlite:./roster.db', { baseDir: dir });
    stores.push(store);
    const engine = {
      config: { sources: [], lifecycle: { timezone: 'Europe/Berlin' }, targets: [{ id: 'corp', reconcile: { match: [], orphans: 'disable', schedule: '0 3 * * *' } }] },
      store,
      async reconcile(target: string) {
        passes.push(target);
        if (options.fail?.() === true) throw new RosterError('target.unavailable', 'list on corp: cannot reach the directory');
        return { target, accounts: 0, linked: 0, matched: [], orphans: [], vanished: [], disputed: [], warnings: [], plan: { id: 'r', changes: [], holds: [] } };
      },
      async plan() { return { id: 'p', held: false, holds: [], changes: [] }; },
      async apply() { return {}; },
    } as unknown as RosterEngine;
    return engine;
  }
  const said = (into: string[]): Logger => ({ debug() {}, info: (m) => void into.push(m), warn: (m) => void into.push(m), error: (m) => void into.push(m) } as Logger);
  // 03:00 in Berlin in winter is 02:00Z.
  const at = (iso: string) => () => new Date(iso);

  it('a process whose schedule fires after another finished that time\'s pass skips it; the next time of the schedule runs', async () => {
    const passes: string[] = [];
    const a = await serveProcess(passes);
    const b = await serveProcess(passes);
    await new Scheduler(a, said([]), at('2030-01-01T02:00:00.010Z')).runReconcile('corp', { scheduled: true });
    const late: string[] = [];
    await new Scheduler(b, said(late), at('2030-01-01T02:00:03Z')).runReconcile('corp', { scheduled: true });
    expect(passes).toEqual(['corp']);
    expect(late).toEqual(['scheduled reconcile skipped: another process made this pass already']);
    expect(await b.store.state.get(reconciledKey('corp'))).toEqual({ at: '2030-01-01T02:00:00.010Z' });
    // The next day's time: whichever process fires first makes it.
    await new Scheduler(b, said([]), at('2030-01-02T02:00:00.004Z')).runReconcile('corp', { scheduled: true });
    await new Scheduler(a, said([]), at('2030-01-02T02:00:01Z')).runReconcile('corp', { scheduled: true });
    expect(passes).toEqual(['corp', 'corp']);
  });

  it('a pass that failed is not marked: a process firing later for the same time tries it again', async () => {
    const passes: string[] = [];
    const a = await serveProcess(passes, { fail: () => true });
    const b = await serveProcess(passes);
    await expect(new Scheduler(a, said([]), at('2030-01-01T02:00:00.010Z')).runReconcile('corp', { scheduled: true })).rejects.toThrow('cannot reach the directory');
    await new Scheduler(b, said([]), at('2030-01-01T02:00:02Z')).runReconcile('corp', { scheduled: true });
    expect(passes).toEqual(['corp', 'corp']);
    expect(await b.store.state.get(reconciledKey('corp'))).toEqual({ at: '2030-01-01T02:00:02.000Z' });
  });

  it('a run asked for outside the schedule (runReconcile alone) always runs', async () => {
    const passes: string[] = [];
    const a = await serveProcess(passes);
    const scheduler = new Scheduler(a, said([]), at('2030-01-01T02:00:00.010Z'));
    await scheduler.runReconcile('corp', { scheduled: true });
    await scheduler.runReconcile('corp');
    expect(passes).toEqual(['corp', 'corp']);
  });
});
