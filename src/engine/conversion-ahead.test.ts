import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';

/**
 * Through the engine: a working contractor whose conversion to employee is
 * entered weeks ahead (new start the day after the contract ends) keeps an
 * enabled account and gets no disable, and the next plan after the new
 * start changes nothing.
 */
describe('a conversion entered ahead of time, through the engine', () => {
  const workspace = useEngineDir('conversion');

  it('keeps the account enabled through the change', async () => {
    const csv = (type: string, start: string, end: string) => `employeeId,givenName,employmentType,startDate,endDate\nC1,Ada,${type},${start},${end}\nE2,Alan,employee,2024-01-01,\n`;
    let now = new Date('2026-11-02T09:00:00.000Z');
    const engine = await workspace.open(`
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: { username: identity.employeeId, kind: identity.employmentType }
`, { now: () => now, files: { 'employees.csv': csv('contractor', '2025-01-06', '2026-11-30') } });
    await engine.sync({ actor: 'test', now });
    expect(memoryTargets.get('app')?.accounts.get('C1')).toMatchObject({ enabled: true });

    workspace.write('employees.csv', csv('employee', '2026-12-01', ''));
    const converted = await engine.sync({ actor: 'test', now });
    expect(converted.plan.changes.filter((c) => c.identity === 'C1').map((c) => c.action)).toEqual(['update']);
    expect(memoryTargets.get('app')?.accounts.get('C1')).toMatchObject({ enabled: true, attributes: { kind: 'employee' } });
    expect(await engine.store.identities.get('C1')).toMatchObject({ state: 'active' });

    now = new Date('2026-12-02T09:00:00.000Z');
    const after = await engine.sync({ actor: 'test', now });
    expect(after.plan.changes).toEqual([]);
    expect(memoryTargets.get('app')?.accounts.get('C1')).toMatchObject({ enabled: true });
  });
});
