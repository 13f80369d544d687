import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { silentLogger } from '../core/log.js';

/**
 * The `safety.source_truncated` hold carries numbers of people: how many
 * would be gone, and how many `maxMissing` allows of the live ones; not the
 * rows read and the source's stored identities (terminated ones included).
 */
describe('safety.source_truncated hold numbers (review8)', () => {
  const env = useEngineDir('review8-truncated');
  const header = 'employeeId,givenName,familyName,startDate,endDate';
  const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `E${1000 + from + i},P,N${from + i},2024-01-01,`);
  // 200 live people, and 30 who left long ago (still in the file; not counted as live).
  const leavers = Array.from({ length: 30 }, (_, i) => `L${1000 + i},Old,N${i},2020-01-01,2021-01-01`);
  const csv = (live: string[]) => [header, ...live, ...leavers].join('\n') + '\n';

  async function open() {
    const engine = await env.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 20% }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
`, { log: silentLogger, now: () => new Date('2030-01-01T00:00:00Z'), files: { 'hr.csv': csv(rows(0, 200)) } });
    await engine.sync({ actor: 't' });
    return engine;
  }

  it('50 of 200 people gone with maxMissing 20%: count 50, limit 40, in the message and the plan JSON', async () => {
    const engine = await open();
    env.write('hr.csv', csv(rows(50, 200)));
    await engine.readSource('hr', 't');
    const plan = JSON.parse(JSON.stringify(await engine.plan())) as { held: boolean; holds: { code: string; count: number; limit: number; message: string }[] };
    expect(plan.held).toBe(true);
    expect(plan.holds).toEqual([expect.objectContaining({ code: 'safety.source_truncated', count: 50, limit: 40 })]);
    expect(plan.holds[0]!.message).toContain('50 of 200 people would be gone (25%); the limit is 20% (40 people)');
  });

  it('an empty snapshot: everyone live would be gone (200), 40 allowed', async () => {
    const engine = await open();
    env.write('hr.csv', `${header}\n`);
    await engine.readSource('hr', 't');
    const plan = await engine.plan();
    expect(plan.holds).toEqual([expect.objectContaining({ code: 'safety.source_truncated', count: 200, limit: 40 })]);
    expect(plan.holds[0]!.message).toContain('the snapshot is empty but 200 people are active; the limit is 20% (40 people)');
  });
});
