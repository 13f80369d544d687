import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

/**
 * A reconcile pass changes how many accounts a target has linked (it adopts
 * the accounts already there, drops vanished ones). The safety limits of the
 * small plans that follow (HR pushes, the scheduler's tick) are judged on
 * that count: judged on the count from before the pass (0 before adoption,
 * below minAccounts, so exempt), a mass termination right after Roster is
 * introduced into a directory would go through unheld.
 */
describe('the safety base after a reconcile pass (review8)', () => {
  const dir = useEngineDir('review8-totals');
  const people = Array.from({ length: 40 }, (_, i) => `E${100 + i}`);

  const hr = (ended: number) => ['employeeId,givenName,familyName,startDate,endDate',
    ...people.map((id, i) => `${id},P,N${i},2020-01-01,${i < ended ? '2029-12-01' : ''}`)].join('\n') + '\n';

  async function open() {
    const seed = people.map((id) => `        - { attributes: { username: "${id.toLowerCase()}", employeeNumber: "${id}" }, enabled: true }`).join('\n');
    const engine = await dir.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: app
    type: memory
    connection:
      key: username
      seed:
${seed}
    accountKey: username
    attributes:
      username: identity.employeeId.lowerAscii()
      employeeNumber: identity.employeeId
    leaver: { disable: immediately }
    safety: { maxDeletes: 5%, maxDisables: 10%, minAccounts: 10, window: none }
    reconcile:
      match:
        - { account: employeeNumber, identity: employeeId, normalise: exact }
`, { files: { 'hr.csv': hr(0) }, log: silentLogger, now: () => new Date('2030-01-01T00:00:00Z') });
    await engine.readSource('hr', 't');
    return engine;
  }

  async function terminateTen(engine: Engine) {
    // HR terminates a quarter of the people (a bad feed, or a real layoff someone must confirm).
    dir.write('hr.csv', hr(10));
    const ingest = await engine.readSource('hr', 't');
    const result = await engine.reconcileIdentities(ingest.affected, 'source:hr');
    expect(result.plan.changes.filter((c) => c.action === 'disable')).toHaveLength(10);
    expect(result.plan.held).toBe(true);
    expect(result.plan.holds.map((h) => h.code)).toContain('safety.max_disables');
    expect([...memoryTargets.get('app')!.accounts.values()].filter((a) => !a.enabled)).toHaveLength(0);
  }

  it('a plan for ten leavers out of forty adopted accounts is held by maxDisables 10%', async () => {
    const engine = await open();
    // A full plan before the first pass: its creates wait for the reconcile, nothing is linked yet.
    const before = await engine.plan();
    expect(before.changes).toEqual([]);
    const report = await engine.reconcile('app', { actor: 't' });
    expect(report.matched).toHaveLength(40);
    await terminateTen(engine);
  });

  it('the same when `roster reconcile` ran in another process while serve kept running', async () => {
    const serve = await open();
    expect((await serve.plan()).changes).toEqual([]);
    const cli = await openEngine(join(serve.config.baseDir, 'roster.yaml'), { log: silentLogger });
    try {
      expect((await cli.reconcile('app', { actor: 'cli' })).matched).toHaveLength(40);
    } finally {
      await cli.close();
    }
    await terminateTen(serve);
  });
});
