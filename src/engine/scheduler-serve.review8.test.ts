import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema } from '../../test/support/pg.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { RosterEngine } from './engine.js';
import { openEngine } from './index.js';
import { Scheduler } from './scheduler.js';
import type { Engine } from './types.js';

/**
 * `roster serve` run unattended, through the real engine on real stores:
 * two processes sharing one PostgreSQL store, a restart after downtime.
 */
describe('scheduler across processes and restarts (review8)', () => {
  let dir: string | undefined;
  const engines: Engine[] = [];
  const drops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const d of drops.splice(0)) await d();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    memoryTargets.clear();
  });

  function project(store: string, people: number, extra = ''): string {
    dir = mkdtempSync(join(tmpdir(), 'roster-review8-'));
    const rows = Array.from({ length: people }, (_, i) => `E${100 + i},Person,N${i}${extra === '' ? '' : ',2024-01-01,'}`);
    writeFileSync(join(dir, 'hr.csv'), [`employeeId,givenName,familyName${extra === '' ? '' : ',startDate,endDate'}`, ...rows].join('\n') + '\n');
    const config = join(dir, 'roster.yaml');
    writeFileSync(config, `
store: ${store}
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 100%, schedule: "*/5 * * * *" }
targets:
  - id: app
    type: memory
    connection: { key: username, latencyMs: 5 }
    accountKey: username
    attributes:
      username: identity.employeeId
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
`);
    return config;
  }

  it('two serve processes on one PostgreSQL store never run the same scheduled source at once', async () => {
    const schema = await freshSchema('review8_sched');
    drops.push(schema.drop);
    const config = project(schema.url, 20);
    const a = await openEngine(config, { log: silentLogger });
    engines.push(a);
    const b = await openEngine(config, { log: silentLogger });
    engines.push(b);
    const source = a.config.sources[0]!;
    const first = new Scheduler(a as RosterEngine, silentLogger, () => new Date());
    const second = new Scheduler(b as RosterEngine, silentLogger, () => new Date());
    await Promise.all([first.runSource(source), second.runSource(source)]);
    const app = memoryTargets.get('app')!;
    expect(app.accounts.size).toBe(20);
    // One run read, planned and applied; the other saw the source taken and left it.
    expect(app.calls('create')).toBe(20);
    const applied = await a.store.audit.list({ kind: 'plan.applied' });
    expect(applied).toHaveLength(1);
  });

  it('a crashed holder blocks the source only until its lease runs out', async () => {
    const schema = await freshSchema('review8_sched');
    drops.push(schema.drop);
    const config = project(schema.url, 3);
    let now = new Date('2030-01-01T00:00:00Z');
    const engine = await openEngine(config, { log: silentLogger, now: () => now });
    engines.push(engine);
    // A process that died mid-run left its lease behind.
    await engine.store.state.set('lease:scheduler:source:hr', { holder: 'dead-host:1', until: now.getTime() + 60_000 });
    const scheduler = new Scheduler(engine as RosterEngine, silentLogger, () => now);
    await scheduler.runSource(engine.config.sources[0]!);
    expect(memoryTargets.get('app')?.accounts.size ?? 0).toBe(0);
    now = new Date(now.getTime() + 61_000);
    await scheduler.runSource(engine.config.sources[0]!);
    expect(memoryTargets.get('app')?.accounts.size).toBe(3);
    // Released after the run: nobody holds it.
    expect(await engine.store.state.get('lease:scheduler:source:hr')).toBeUndefined();
  });

  it('after a restart, a leaver whose end date passed while serve was down is disabled by the first tick', async () => {
    const config = project('sqlite:./roster.db', 2, 'dates');
    let now = new Date('2030-01-01T00:00:00Z');
    const engine = await openEngine(config, { log: silentLogger, now: () => now });
    engines.push(engine);
    await engine.sync({ actor: 't' });
    expect([...memoryTargets.get('app')!.accounts.values()].every((a) => a.enabled)).toBe(true);
    const before = new Scheduler(engine as RosterEngine, silentLogger, () => now);
    now = new Date('2030-01-01T00:01:00Z');
    expect(await before.tick()).toBe(0);
    await before.stop();
    // serve is stopped; HR ends E100's employment on 2030-01-01 (end of the day), and serve comes back two days later.
    writeFileSync(join(dir!, 'hr.csv'), 'employeeId,givenName,familyName,startDate,endDate\nE100,Person,N0,2024-01-01,2030-01-01\nE101,Person,N1,2024-01-01,\n');
    await engine.readSource('hr', 't');
    now = new Date('2030-01-03T00:00:00Z');
    const after = new Scheduler(engine as RosterEngine, silentLogger, () => now);
    now = new Date('2030-01-03T00:01:00Z');
    expect(await after.tick()).toBe(1);
    expect(memoryTargets.get('app')!.accounts.get('E100')?.enabled).toBe(false);
  });
});
