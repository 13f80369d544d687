import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { Plan } from '../core/types.js';
import type { RosterEngine } from './engine.js';
import { Scheduler } from './scheduler.js';
import type { ApplyOptions } from './types.js';

/**
 * A scheduled read plans everyone and applies the plan, which is refused as
 * stale when anything changed the store in between (an HR push, another
 * process). The people that read changed must still get their accounts: the
 * run plans again, and a run that fails anyway leaves its changes to the
 * next run, even when that run reads nothing new.
 */
describe('a scheduled run whose plan went stale (review8)', () => {
  const dir = useEngineDir('review8-stale');

  async function open() {
    return dir.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 50%, schedule: "*/5 * * * *" }
  - { id: push, type: push, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId.lowerAscii()
`, { files: { 'hr.csv': 'employeeId,givenName,familyName\nE1,Ada,Lovelace\nE2,Alan,Turing\n' }, log: silentLogger });
  }

  /** The engine, with `between` run before each of the first `times` applies (a write landing between plan and apply). */
  function racing(engine: RosterEngine, times: number, between: () => Promise<unknown>): RosterEngine {
    let left = times;
    return {
      config: engine.config,
      store: engine.store,
      readSource: engine.readSource.bind(engine),
      plan: engine.plan.bind(engine),
      async apply(plan: Plan, options: ApplyOptions) {
        if (left > 0) {
          left -= 1;
          await between();
        }
        return engine.apply(plan, options);
      },
    } as unknown as RosterEngine;
  }

  const push = (engine: RosterEngine, id: string) => engine.ingest({
    sourceId: 'push', complete: false, problems: [], rowsRead: 1, records: [{ key: id, attributes: { employeeId: id, givenName: 'P', familyName: id } }],
  }, 'source:push');

  it('plans again when an HR push lands between its plan and its apply', async () => {
    const engine = await open() as RosterEngine;
    const scheduler = new Scheduler(racing(engine, 1, () => push(engine, 'P1')), silentLogger, () => new Date());
    await scheduler.runSource(engine.config.sources[0]!);
    expect([...memoryTargets.get('app')!.accounts.keys()].sort()).toEqual(['e1', 'e2', 'p1']);
  });

  it('a run that still fails leaves the changes it read to the next run, which reads nothing new', async () => {
    const engine = await open() as RosterEngine;
    let n = 0;
    const scheduler = new Scheduler(racing(engine, 10, () => push(engine, `P${++n}`)), silentLogger, () => new Date());
    await expect(scheduler.runSource(engine.config.sources[0]!)).rejects.toThrow(/state changed since this plan was made/);
    expect(memoryTargets.get('app')?.accounts.size ?? 0).toBe(0);
    const calm = new Scheduler(engine, silentLogger, () => new Date());
    // A new scheduler (the same process's next run would do the same): the file is unchanged, its people still need accounts.
    await calm.runSource(engine.config.sources[0]!);
    expect([...memoryTargets.get('app')!.accounts.keys()]).toEqual(expect.arrayContaining(['e1', 'e2']));
  });
});
