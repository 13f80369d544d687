import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

/**
 * Through the engine: a working contractor whose conversion to employee is
 * entered weeks ahead (new start the day after the contract ends) keeps an
 * enabled account and gets no disable, and the next plan after the new
 * start changes nothing.
 */
describe('a conversion entered ahead of time, through the engine', () => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
  });

  it('keeps the account enabled through the change', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-conversion-'));
    const csv = (type: string, start: string, end: string) => `employeeId,givenName,employmentType,startDate,endDate\nC1,Ada,${type},${start},${end}\nE2,Alan,employee,2024-01-01,\n`;
    writeFileSync(join(dir, 'employees.csv'), csv('contractor', '2025-01-06', '2026-11-30'));
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: { username: identity.employeeId, kind: identity.employmentType }
`);
    let now = new Date('2026-11-02T09:00:00.000Z');
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => now });
    await engine.sync({ actor: 'test', now });
    expect(memoryTargets.get('app')?.accounts.get('C1')).toMatchObject({ enabled: true });

    writeFileSync(join(dir, 'employees.csv'), csv('employee', '2026-12-01', ''));
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
