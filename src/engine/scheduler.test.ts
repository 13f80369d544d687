import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import { silentLogger } from '../core/log.js';
import type { RosterEngine } from './engine.js';
import { Scheduler, scheduledPass } from './scheduler.js';

const base: SourceConfig = {
  id: 'corp', type: 'ldap', key: 'employeeNumber', delimiter: ',', complete: true, maxMissing: { percent: 20 },
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
};

describe('scheduledPass', () => {
  it('reads files whole on every run', () => {
    expect([1, 2, 12].map((run) => scheduledPass({ ...base, type: 'csv' }, run))).toEqual(['full', 'full', 'full']);
  });

  it('makes every 12th run of a directory source a full pass by default, the others incremental', () => {
    const passes = Array.from({ length: 24 }, (_, i) => scheduledPass(base, i + 1));
    expect(passes.filter((p) => p === 'full').length).toBe(2);
    expect(passes[11]).toBe('full');
    expect(passes[0]).toBe('incremental');
  });

  it('follows fullEvery, and leaves full passes to fullSchedule when only that is set', () => {
    expect([1, 2, 3, 4].map((run) => scheduledPass({ ...base, fullEvery: 2 }, run))).toEqual(['incremental', 'full', 'incremental', 'full']);
    expect([12, 24].map((run) => scheduledPass({ ...base, type: 'ad', fullSchedule: '0 2 * * *' }, run))).toEqual(['incremental', 'incremental']);
  });
});

describe('Scheduler.runSource', () => {
  it('runs the passes of one source one after another, counting runs for the full pass', async () => {
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const firstRead = new Promise<void>((resolve) => { release = resolve; });
    // Only what runSource touches; the engine's other methods are not reached (nothing is affected).
    const state = new Map<string, unknown>();
    const engine = {
      config: { sources: [] },
      // The runs' leases (engine/lease.ts) and pending marks live in the store's state.
      store: { state: {
        get: async (key: string) => state.get(key),
        set: async (key: string, value: unknown) => { if (value === undefined) state.delete(key); else state.set(key, value); },
        update: async (key: string, change: (v: unknown) => unknown) => {
        const next = change(state.get(key));
        if (next === undefined) state.delete(key);
        else state.set(key, next);
        return next;
      } } },
      async readSource(id: string, actor: string, options: { mode?: string }) {
        calls.push(`start ${options.mode}`);
        if (calls.length === 1) await firstRead;
        calls.push(`end ${options.mode}`);
        return { sourceId: id, received: 0, created: 0, changed: 0, unchanged: 0, missing: 0, problems: [], events: [], affected: [] };
      },
    } as unknown as RosterEngine;
    const scheduler = new Scheduler(engine, silentLogger, () => new Date());
    const source = { ...base, fullEvery: 2 };
    const runs = [scheduler.runSource(source), scheduler.runSource(source), scheduler.runSource(source, 'full')];
    await Promise.resolve();
    release();
    await Promise.all(runs);
    expect(calls).toEqual(['start incremental', 'end incremental', 'start full', 'end full', 'start full', 'end full']);
  });
});
