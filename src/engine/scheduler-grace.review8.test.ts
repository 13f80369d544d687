import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { RosterEngine } from './engine.js';
import { Scheduler, TICK_MARK_KEY } from './scheduler.js';

/**
 * Deletes timed from a disable, not from an end date, through a real engine,
 * a SQLite store, a memory target and the scheduler's tick on an injected
 * clock: nothing but the tick runs between the disable and the grace's end
 * (no source schedule, no full sync).
 */
describe('scheduler tick: delete graces counted from the disable (review8)', () => {
  const env = useEngineDir('review8-grace');

  const yaml = (scope = '') => `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 100% }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
${scope}    leaver: { disable: immediately, delete: after 30d }
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
`;
  const header = 'employeeId,givenName,familyName,department,startDate,endDate';

  /** Opens the engine at `now()`; E100 and E101 are synced (accounts created). */
  async function start(clock: { now: Date }, scope = '') {
    const engine = await env.open(yaml(scope), {
      log: silentLogger, now: () => clock.now,
      files: { 'hr.csv': `${header}\nE100,Ada,L,Eng,2024-01-01,\nE101,Bob,M,Eng,2024-01-01,\n` },
    }) as RosterEngine;
    await engine.sync({ actor: 't' });
    expect(memoryTargets.get('app')!.accounts.size).toBe(2);
    return engine;
  }

  it('a late termination (end date long past) is deleted by the tick when the grace after the disable ends', async () => {
    const clock = { now: new Date('2030-01-01T00:00:00Z') };
    const engine = await start(clock);
    // HR enters E100's termination months late: ended 2029-06-30. The read's plan disables the account now.
    env.write('hr.csv', `${header}\nE100,Ada,L,Eng,2024-01-01,2029-06-30\nE101,Bob,M,Eng,2024-01-01,\n`);
    clock.now = new Date('2030-01-10T00:00:00Z');
    await engine.sync({ actor: 't' });
    const app = memoryTargets.get('app')!;
    expect(app.accounts.get('E100')?.enabled).toBe(false);
    const link = await engine.store.accounts.get('app', 'E100');
    expect(link?.disabledAt).toBe('2030-01-10T00:00:00.000Z');

    // serve runs: only the tick. Its mark sits just before the grace's end (the disable + 30 days).
    const scheduler = new Scheduler(engine, silentLogger, () => clock.now);
    await engine.store.state.set(TICK_MARK_KEY, { at: '2030-02-08T23:58:00.000Z' });
    clock.now = new Date('2030-02-08T23:59:00Z');
    expect(await scheduler.tick()).toBe(0); // the grace ends at 2030-02-09T00:00
    expect(app.accounts.has('E100')).toBe(true);
    clock.now = new Date('2030-02-09T00:01:00Z');
    expect(await scheduler.tick()).toBe(1);
    expect(app.accounts.has('E100')).toBe(false);
    expect(app.accounts.get('E101')?.enabled).toBe(true);
    await scheduler.stop();
  });

  it('an account out of scope is deleted by the tick when its grace ends', async () => {
    const clock = { now: new Date('2030-01-01T00:00:00Z') };
    const engine = await start(clock, '    scope: identity.department == "Eng"\n');
    // E100 moves to Sales: out of the target's scope, disabled now.
    env.write('hr.csv', `${header}\nE100,Ada,L,Sales,2024-01-01,\nE101,Bob,M,Eng,2024-01-01,\n`);
    clock.now = new Date('2030-01-10T00:00:00Z');
    await engine.sync({ actor: 't' });
    const app = memoryTargets.get('app')!;
    expect(app.accounts.get('E100')?.enabled).toBe(false);

    const scheduler = new Scheduler(engine, silentLogger, () => clock.now);
    await engine.store.state.set(TICK_MARK_KEY, { at: '2030-02-08T12:00:00.000Z' });
    clock.now = new Date('2030-02-09T12:00:00Z');
    expect(await scheduler.tick()).toBe(1);
    expect(app.accounts.has('E100')).toBe(false);
    expect(app.accounts.has('E101')).toBe(true);
    // The next tick finds nothing more: the delete is not planned again.
    clock.now = new Date('2030-02-09T12:01:00Z');
    expect(await scheduler.tick()).toBe(0);
    await scheduler.stop();
  });
});
