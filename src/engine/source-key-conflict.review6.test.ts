import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { parsePushBody } from '../sources/push.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

/**
 * Two HR files (employees and contractors) whose keys share one namespace.
 * A key that belongs to an identity of one file and turns up in the other
 * must be reported as a key conflict and ignored (merge.ts), not taken over:
 * otherwise each read of either file moves the person to it, with a joiner
 * each time, and the first file never sees them as its own again.
 */
describe('a key claimed by two file sources (review6)', () => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
  });

  async function open(employees: string, contractors: string): Promise<Engine> {
    dir = mkdtempSync(join(tmpdir(), 'roster-review6-'));
    writeFileSync(join(dir, 'employees.csv'), employees);
    writeFileSync(join(dir, 'contractors.csv'), contractors);
    const config = join(dir, 'roster.yaml');
    writeFileSync(config, `
store: sqlite:./roster.db
sources:
  - { id: contractors, type: csv, path: ./contractors.csv, key: employeeId, maxMissing: 50% }
  - { id: employees, type: csv, path: ./employees.csv, key: employeeId, maxMissing: 50% }
  - { id: workday, type: push, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
`);
    engine = await openEngine(config);
    return engine;
  }

  it('keeps the identity with its first source and reports the conflict', async () => {
    const engine = await open('employeeId,givenName,familyName\nE1,Ada,Lovelace\nE2,Alan,Turing\n', 'employeeId,givenName,familyName\nC1,Grace,Hopper\nE1,Ada,Impostor\n');
    await engine.readSource('employees', 'test');
    const second = await engine.readSource('contractors', 'test');
    expect(second.created).toBe(1);
    const e1 = await engine.store.identities.get('E1');
    expect(e1).toMatchObject({ sourceId: 'employees', attributes: { familyName: 'Lovelace' }, version: 1 });
    expect(second.events.filter((e) => e.identityId === 'E1')).toEqual([]);
    const ingested = (await engine.store.audit.list({ kind: 'source.ingested' })).map((e) => e.data as { sourceId: string; diagnostics: { code: string }[] });
    expect(ingested.find((d) => d.sourceId === 'contractors')?.diagnostics.map((d) => d.code)).toEqual(['source.key_conflict']);
    const again = await engine.readSource('employees', 'test');
    expect({ created: again.created, changed: again.changed, unchanged: again.unchanged }).toEqual({ created: 0, changed: 0, unchanged: 2 });
  });

  it('lets a source take over a key whose person left the other source: a contractor hired as an employee in the other file', async () => {
    const header = 'employeeId,givenName,familyName,employmentType\n';
    const engine = await open(`${header}E1,Ada,Lovelace,employee\n`, `${header}C1,Grace,Hopper,contractor\nC2,Alan,Turing,contractor\n`);
    expect((await engine.sync({ actor: 'test' })).result?.applied).toBe(3);
    writeFileSync(join(dir!, 'contractors.csv'), `${header}C1,Grace,Hopper,contractor\n`);
    writeFileSync(join(dir!, 'employees.csv'), `${header}E1,Ada,Lovelace,employee\nC2,Alan,Turing,employee\n`);
    const sync = await engine.sync({ actor: 'test' });
    expect(sync.ingests.map((i) => [i.sourceId, i.missing, i.created, i.changed])).toEqual([['contractors', 1, 0, 0], ['employees', 0, 0, 1]]);
    expect(await engine.store.identities.get('C2')).toMatchObject({ sourceId: 'employees', state: 'active', attributes: { employmentType: 'employee' } });
    expect(sync.ingests[1]!.events.map((e) => [e.kind, e.reasons])).toEqual([
      ['returned', ['returned']], ['mover', ['mover.employmentType']], ['conversion', ['conversion.contractor_to_employee']],
    ]);
    // Still working: the account is kept (not disabled, then enabled again).
    expect(sync.plan.changes.filter((c) => c.identity === 'C2').map((c) => c.action)).toEqual([]);
  });

  it('a terminate pushed to another source than the one holding the person is ignored, and says so in the result', async () => {
    const engine = await open('employeeId,givenName,familyName\nE1,Ada,Lovelace\n', 'employeeId,givenName,familyName\n');
    await engine.readSource('employees', 'test');
    const batch = parsePushBody({ records: [{ employeeId: 'E1', _action: 'terminate' }] }, {
      sourceId: 'workday', key: 'employeeId', dateFields: ['startDate', 'endDate'], now: new Date(), statusField: 'status', endDateField: 'endDate',
    });
    const result = await engine.ingest(batch, 'test');
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'source.key_conflict', identity: 'E1' })]);
    expect(result.diagnostics[0]?.message).toContain('belongs to source employees, where the person is active');
    expect(await engine.store.identities.get('E1')).toMatchObject({ sourceId: 'employees', state: 'active' });
  });
});
