import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';

/**
 * Two processes share one store: `roster serve` (engine B, which takes HR
 * pushes) and a `roster sync` (engine A). A creates 40 accounts; B had made a
 * plan before (its view of the target: nothing linked). The small plan B then
 * makes for ten leavers must be judged on the 40 accounts linked now: on the
 * count from before A's applies (0: below minAccounts, so exempt) a quarter of
 * the target would be disabled unheld.
 */
describe.each(['postgres', 'sqlite'] as const)('safety limits on links another process created (%s, review8)', (dialect) => {
  const dirA = useEngineDir('review8-counts-a');
  const dirB = useEngineDir('review8-counts-b');
  const people = Array.from({ length: 40 }, (_, i) => `E${100 + i}`);
  const hr = (ended: number) => ['employeeId,givenName,familyName,startDate,endDate',
    ...people.map((id, i) => `${id},P,N${i},2020-01-01,${i < ended ? '2029-12-01' : ''}`)].join('\n') + '\n';
  const now = () => new Date('2030-01-01T00:00:00Z');

  it.each(['none', '1h'])('holds ten leavers of forty accounts by a maxDisables of ten percent (window: %s)', async (window) => {
    const store = await dirA.store(dialect, 'roster_counts');
    const files = { 'hr.csv': hr(0) };
    const yaml = (storeUrl: string) => `
store: ${storeUrl}
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
    safety: { maxDeletes: 5%, maxDisables: 10%, minAccounts: 10, window: ${window} }
`;
    // Engine B: the serving process; it ingests and plans first (nothing is linked yet).
    const b = await dirB.open(yaml(store), { files, log: silentLogger, now });
    await b.readSource('hr', 'test');
    expect((await b.plan()).summary).toEqual({ create: 40 });
    // Engine A: another process on the same store (SQLite: B's database file) plans and applies the 40 creates.
    const a = await dirA.open(yaml(dialect === 'sqlite' ? `sqlite:${b.config.baseDir}/roster.db` : store), { files, log: silentLogger, now });
    const applied = await a.sync({ actor: 'sync', force: false });
    expect(applied.result?.applied).toBe(40);
    expect(memoryTargets.get('app')!.accounts.size).toBe(40);

    // HR terminates a quarter of them; B, the process taking the push, plans for those ten alone.
    dirB.write('hr.csv', hr(10));
    const ingest = await b.readSource('hr', 'push');
    const result = await b.reconcileIdentities(ingest.affected, 'source:hr');
    expect(result.plan.changes.filter((c) => c.action === 'disable')).toHaveLength(10);
    expect(result.plan.held).toBe(true);
    expect(result.plan.holds.map((h) => h.code)).toContain('safety.max_disables');
    expect(result.plan.holds.find((h) => h.code === 'safety.max_disables')?.message).toContain('of 40 accounts');
    expect([...memoryTargets.get('app')!.accounts.values()].filter((account) => !account.enabled)).toHaveLength(0);
  });
});
