import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { WindowLog } from '../planner/safety-window.js';
import { SAFETY_WINDOW_KEY } from './safety-window.js';
import type { Engine } from './types.js';

/**
 * A plan applied after another process queued the same disables leaves them
 * out (they run once, in the other plan): the safety window counts them once.
 * Before, both plans' counts stayed in the window, so the next leavers of the
 * hour were held on disables that never ran twice.
 */
describe.each(['sqlite', 'postgres'] as const)('safety window and changes left out (%s)', (dialect) => {
  const dirA = useEngineDir('window-left-out-a');
  const dirB = useEngineDir('window-left-out-b');
  const people = Array.from({ length: 20 }, (_, i) => `E${100 + i}`);
  const hr = (ended: number) => ['employeeId,givenName,familyName,startDate,endDate',
    ...people.map((id, i) => `${id},P,N${i},2020-01-01,${i < ended ? '2029-12-01' : ''}`)].join('\n') + '\n';
  const now = () => new Date('2030-01-01T00:00:00Z');
  const yaml = (store: string) => `
store: ${store}
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId.lowerAscii()
    leaver: { disable: immediately }
    safety: { maxDeletes: 5%, maxDisables: 20%, minAccounts: 10, window: 1h }
`;
  const disablesInWindow = async (engine: Engine) => {
    const log = await engine.store.state.get<WindowLog>(SAFETY_WINDOW_KEY);
    return (log?.app ?? []).reduce((sum, [, , disables]) => sum + disables, 0);
  };

  it('counts a disable another process queued first once, and the next leavers are judged on that', async () => {
    const store = await dirA.store(dialect, 'roster_window_left_out');
    const a = await dirA.open(yaml(store), { files: { 'hr.csv': hr(0) }, log: silentLogger, now });
    expect((await a.sync({ actor: 'a' })).result?.applied).toBe(20);
    const b = await dirB.open(yaml(dialect === 'sqlite' ? `sqlite:${a.config.baseDir}/roster.db` : store), { files: { 'hr.csv': hr(0) }, log: silentLogger, now });
    await a.holdQuarantine('app', 'ops', 'CHG-1');

    // Two leavers: A plans their disables; B, another process, queues the same disables before A applies.
    dirA.write('hr.csv', hr(2));
    dirB.write('hr.csv', hr(2));
    await a.readSource('hr', 'a');
    const planA = await a.plan({ actor: 'a' });
    expect(planA.summary).toEqual({ disable: 2 });
    expect((await b.sync({ actor: 'b' })).result).toMatchObject({ pending: 2 });
    const result = await a.apply(planA, { actor: 'a' });
    expect(result.leftOut?.changes).toBe(2);
    expect(await disablesInWindow(a)).toBe(2);

    // Two more leavers in the same hour, pushed (a small plan judged over the window): 4 of 20 is within 20 %
    // (counted twice, 6 of 20 would hold it).
    await a.releaseQuarantine('app', 'ops');
    dirA.write('hr.csv', hr(4));
    const ingest = await a.readSource('hr', 'push');
    const pushed = await a.reconcileIdentities(ingest.affected, 'source:hr');
    expect(pushed.plan.summary).toEqual({ disable: 2 });
    expect(pushed.plan.holds).toEqual([]);
    expect(pushed.applied).toBe(2);
    expect(await disablesInWindow(a)).toBe(4);
    expect([...memoryTargets.get('app')!.accounts.values()].filter((account) => !account.enabled)).toHaveLength(4);
  });
});
