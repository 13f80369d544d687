import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import type { Logger } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { RosterEngine } from './engine.js';
import { Scheduler, sourceRanKey } from './scheduler.js';

/**
 * A source's `schedule` (and a directory source's `fullSchedule`) fired in
 * two `roster serve` processes on one store, one late: the read is made once
 * per time of the schedule (a full directory read at 100,000 people takes
 * seconds). An engine stand-in records the reads; the store (SQLite) is real, shared.
 */
const source = {
  id: 'corp-dir', type: 'ldap', schedule: '*/15 * * * *', fullSchedule: '0 2 * * *',
} as unknown as SourceConfig;

describe('Scheduler: one scheduled source run per time of the schedule, across processes', () => {
  let dir: string | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function serveProcess(reads: string[]) {
    dir ??= mkdtempSync(join(tmpdir(), 'roster-sched-source-once-'));
    const store = await openStore('sqlite:./roster.db', { baseDir: dir });
    stores.push(store);
    return {
      config: { sources: [source], targets: [] },
      store,
      async readSource(id: string, _actor: string, options: { mode: string }) {
        reads.push(`${id}:${options.mode}`);
        return { sourceId: id, received: 0, created: 0, changed: 0, unchanged: 0, missing: 0, problems: [], events: [], affected: [] };
      },
    } as unknown as RosterEngine;
  }
  const said = (into: string[]): Logger => ({ debug() {}, info: (m) => void into.push(m), warn() {}, error() {} } as Logger);
  const at = (iso: string) => () => new Date(iso);

  it('a process firing after another finished that time\'s run skips it; the next time runs; full and incremental are marked apart', async () => {
    const reads: string[] = [];
    const a = await serveProcess(reads);
    const b = await serveProcess(reads);
    await new Scheduler(a, said([]), at('2030-01-01T02:00:00.010Z')).runSource(source, 'full', { scheduled: true });
    await new Scheduler(a, said([]), at('2030-01-01T02:00:00.020Z')).runSource(source, undefined, { scheduled: true });
    const late: string[] = [];
    const lateScheduler = new Scheduler(b, said(late), at('2030-01-01T02:00:02Z'));
    await lateScheduler.runSource(source, 'full', { scheduled: true });
    await lateScheduler.runSource(source, undefined, { scheduled: true });
    expect(reads).toEqual(['corp-dir:full', 'corp-dir:incremental']);
    expect(late).toEqual(['scheduled run skipped: another process made this run already', 'scheduled run skipped: another process made this run already']);
    expect(await b.store.state.get(sourceRanKey('corp-dir', true))).toEqual({ at: '2030-01-01T02:00:00.010Z' });
    // The next quarter hour: the incremental run is due again, the full one is not.
    const next = new Scheduler(b, said([]), at('2030-01-01T02:15:00.005Z'));
    await next.runSource(source, undefined, { scheduled: true });
    await next.runSource(source, 'full', { scheduled: true });
    expect(reads).toEqual(['corp-dir:full', 'corp-dir:incremental', 'corp-dir:incremental']);
    // Asked for outside the schedule, a run always runs.
    await next.runSource(source, 'full');
    expect(reads.at(-1)).toBe('corp-dir:full');
  });
});
