import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { silentLogger } from '../core/log.js';

const people = Array.from({ length: 8 }, (_, i) => `E${i + 1}`);
const csv = `employeeId,givenName\n${people.map((p) => `${p},${p}`).join('\n')}\n`;
const yaml = (target: string) => `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: ${target}
    type: memory
    connection: { key: username, latencyMs: 15 }
    accountKey: username
    attributes: { username: identity.employeeId }
    safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }
`;

/**
 * Two applies at once in one process (serve: the scheduler's apply, an API
 * apply, a push): each run's claims take the other's jobs, and neither may
 * report the other's plan as an earlier plan's released jobs (nor exit 1
 * for its failures): that plan is reported by its own apply.
 */
describe('apply report with two applies at once in one process (review12)', () => {
  const dir = useEngineDir('review12-apply-report');

  it('neither apply lists the other plan as released', async () => {
    const engine = await dir.open(yaml('concurrent-report'), { files: { 'employees.csv': csv }, log: silentLogger });
    await engine.readSource('hr', 'test');
    const first = await engine.plan({ actor: 'test', identity: 'E1' });
    const others = [];
    for (const id of people.slice(1)) others.push(await engine.plan({ actor: 'test', identity: id }));
    const results = await Promise.all([first, ...others].map((plan) => engine.apply(plan, { actor: 'test' })));
    // Every plan's own change ran, once, and is counted by its own apply.
    expect(results.map((r) => r.applied)).toEqual(people.map(() => 1));
    const ids = new Set(results.map((r) => r.planId));
    for (const result of results) {
      expect((result.released ?? []).filter((run) => ids.has(run.planId))).toEqual([]);
    }
  }, 30_000);
});
