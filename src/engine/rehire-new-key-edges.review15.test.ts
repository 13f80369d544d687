import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { capturedIo } from '../cli/testing.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import { openEngine } from './index.js';
import type { Engine } from './types.js';

const yaml = (type: 'csv' | 'push') => `
store: sqlite:./roster.db
sources:
  - id: hr
    ${type === 'csv' ? 'type: csv\n    path: ./employees.csv' : 'type: push'}
    key: employeeId
    fields: { status: status, startDate: startDate, endDate: endDate, manager: managerId, previousKey: previousEmployeeId }
    maxMissing: 100%
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: 'identity.givenName.lowerAscii()', department: identity.department, boss: 'default(manager.givenName, "-")' }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    executor: { maxAttempts: 1 }
`;
const HEADER = 'employeeId,givenName,department,status,startDate,endDate,previousEmployeeId,managerId';
const csv = (...rows: string[]) => `${HEADER}\n${['E0,Zed,Ops,active,2024-01-08,,,', ...rows].join('\n')}\n`;
const OLD_ROW = 'E100,Ada,Eng,terminated,2025-01-06,2026-05-31,,';

/**
 * Review of fields.previousKey (a rehire under a new key): what the first
 * version got wrong, each reproduced through the engine (review15).
 */
describe('a rehire under a new key: edges (engine, memory target)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    memoryTargets.clear();
  });

  /** E100 hired in 2025, left in May 2026, back as E200 (naming E100) in September; Bob (E7) reports to them. */
  async function rehired(type: 'csv' | 'push'): Promise<{ engine: Engine; config: string; write: (text: string) => void; at: (iso: string) => void }> {
    dir = mkdtempSync(join(tmpdir(), 'roster-review15-rehire-edges-'));
    const config = join(dir, 'roster.yaml');
    writeFileSync(config, yaml(type));
    const write = (text: string) => writeFileSync(join(dir!, 'employees.csv'), text);
    let now = new Date('2026-01-12T09:00:00.000Z');
    const at = (iso: string) => { now = new Date(iso); };
    const engine = await openEngine(config, { log: silentLogger, now: () => now });
    const rows = (...lines: string[]) => lines.map((line) => {
      const [employeeId, givenName, department, status, startDate, endDate, previousEmployeeId, managerId] = line.split(',');
      return { key: employeeId!, line: 1, attributes: { employeeId: employeeId!, givenName: givenName!, department: department!, status: status!, startDate: startDate!, endDate: endDate!, previousEmployeeId: previousEmployeeId!, managerId: managerId! } };
    });
    const read = async (...lines: string[]) => {
      if (type === 'csv') write(csv(...lines));
      else await engine.ingest({ sourceId: 'hr', complete: false, problems: [], rowsRead: lines.length, records: rows(...lines) }, 't');
      expect((await engine.sync({ actor: 't' })).result?.errors ?? []).toEqual([]);
    };
    await read('E100,Ada,Eng,active,2025-01-06,,,', 'E7,Bob,Eng,active,2025-01-06,,,E100');
    at('2026-06-02T09:00:00.000Z');
    await read(OLD_ROW, 'E7,Bob,Eng,active,2025-01-06,,,');
    at('2026-09-02T09:00:00.000Z');
    await read(OLD_ROW, 'E200,Ada,Sales,active,2026-09-01,,E100,', 'E7,Bob,Eng,active,2025-01-06,,,E200');
    expect(await engine.store.identities.get('E100')).toMatchObject({ state: 'active', attributes: expect.objectContaining({ employeeId: 'E200' }) });
    return { engine, config, write, at };
  }

  const accounts = () => memoryTargets.get('app')!.accounts;

  it('the new key gone from the snapshot while the old row stays (a rescinded rehire): the person is a leaver, the old row keeps nobody', async () => {
    const { engine, write, at } = await rehired('csv');
    try {
      at('2026-10-01T09:00:00.000Z');
      write(csv(OLD_ROW, 'E7,Bob,Eng,active,2025-01-06,,,'));
      const read = await engine.readSource('hr', 't');
      expect(read.missing).toBe(1);
      expect(read.diagnostics.map((d) => d.code)).toEqual(['source.key_superseded']);
      expect(await engine.store.identities.get('E100')).toMatchObject({ state: 'terminated', missingSince: '2026-10-01T09:00:00.000Z' });
      expect((await engine.sync({ actor: 't' })).result?.errors).toEqual([]);
      expect(accounts().get('ada')).toMatchObject({ enabled: false });
    } finally {
      await engine.close();
    }
  });

  it('an unreadable row of the old key keeps nobody from being missing either', async () => {
    const { engine, write, at } = await rehired('csv');
    try {
      at('2026-10-01T09:00:00.000Z');
      write(csv('E100,Ada,Eng,terminated,2025-01-06,not-a-date,,', 'E7,Bob,Eng,active,2025-01-06,,,'));
      const read = await engine.readSource('hr', 't');
      expect(read.missing).toBe(1);
      expect(await engine.store.identities.get('E100')).toMatchObject({ state: 'terminated' });
    } finally {
      await engine.close();
    }
  });

  it('a late push of the old key in another letter case changes nothing (it is not the identity whose id it folds to)', async () => {
    const { engine } = await rehired('push');
    try {
      const late = await engine.ingest({ sourceId: 'hr', complete: false, problems: [], rowsRead: 1, records: [
        { key: 'e100', line: 1, attributes: { employeeId: 'e100', givenName: 'Ada', department: 'Eng', status: 'terminated', startDate: '2025-01-06', endDate: '2026-05-31' } },
      ] }, 't');
      expect(late).toMatchObject({ created: 0, changed: 0, affected: [] });
      expect(late.diagnostics.map((d) => d.code)).toEqual(['source.key_superseded']);
      expect(await engine.store.identities.get('E100')).toMatchObject({ state: 'active' });
      expect(await engine.store.identities.get('e100')).toBeUndefined();
    } finally {
      await engine.close();
    }
  });

  it('the new key respelled (a push of e200) is the person, as a respelled id is: no second identity', async () => {
    const { engine } = await rehired('push');
    try {
      const moved = await engine.ingest({ sourceId: 'hr', complete: false, problems: [], rowsRead: 1, records: [
        { key: 'e200', line: 1, attributes: { employeeId: 'e200', givenName: 'Ada', department: 'Ops', status: 'active', startDate: '2026-09-01', endDate: '' } },
      ] }, 't');
      expect(moved).toMatchObject({ created: 0, changed: 1, affected: ['E100'] });
      expect(moved.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'source.key_respelled', identity: 'E100' })]);
      expect(await engine.store.identities.get('e200')).toBeUndefined();
      expect(await engine.store.identities.get('E100')).toMatchObject({ attributes: expect.objectContaining({ department: 'Ops' }) });
    } finally {
      await engine.close();
    }
  });

  it('a report whose manager column names the new key gets that manager (planning resolves the key to the identity)', async () => {
    const { engine } = await rehired('csv');
    try {
      expect(accounts().get('bob')).toMatchObject({ attributes: expect.objectContaining({ boss: 'Ada' }) });
      expect((await engine.plan({ identity: 'E7' })).changes).toEqual([]); // the subset path resolves it too
      expect((await engine.explain('E7')).accounts[0]!.desired.attributes).toMatchObject({ boss: 'Ada' });
    } finally {
      await engine.close();
    }
  });

  it('a snapshot row whose new key another source continued someone under is refused with its line, and the read goes on', async () => {
    const { engine, write, at } = await rehired('csv');
    try {
      // Another source's person continued under E300 (a key row of source contractors).
      await engine.store.identities.upsertMany([{ ...(await engine.store.identities.get('E0'))!, id: 'X1', sourceId: 'contractors' }],
        [{ key: 'E300', identityId: 'X1', sourceId: 'contractors', current: true, recordedAt: '2026-09-01T00:00:00.000Z' }]);
      at('2026-10-01T09:00:00.000Z');
      write(csv(OLD_ROW, 'E200,Ada,Sales,terminated,2026-09-01,2026-09-30,E100,', 'E7,Bob,Eng,active,2025-01-06,,,E200', 'E5,Cy,Eng,terminated,2025-01-06,2025-12-31,,'));
      await engine.readSource('hr', 't');
      at('2026-11-02T09:00:00.000Z');
      write(csv(OLD_ROW, 'E200,Ada,Sales,terminated,2026-09-01,2026-09-30,E100,', 'E7,Bob,Eng,active,2025-01-06,,,E200', 'E300,Cy,Eng,active,2026-11-01,,E5,'));
      const read = await engine.readSource('hr', 't');
      expect(read.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'source.previous_key_ambiguous', identity: 'E300' }));
      expect((await engine.store.identities.listKeys({ keys: ['E300'] })).map((k) => k.identityId)).toEqual(['X1']);
      expect(await engine.store.identities.get('E5')).toMatchObject({ state: 'terminated' });
    } finally {
      await engine.close();
    }
  });

  it('roster plan --identity (and the engine\'s plan, which POST /plans calls) accepts the new key', async () => {
    const { engine, config } = await rehired('csv');
    await engine.store.identities.upsertMany([{ ...(await engine.store.identities.get('E100'))!, attributes: { ...(await engine.store.identities.get('E100'))!.attributes, department: 'Legal' } }]);
    expect((await engine.plan({ identity: 'E200' })).changes.map((c) => c.id)).toEqual(['app:E100:update']);
    await engine.close();
    const text = capturedIo({ cwd: dir! });
    expect(await runCli(['node', 'roster', 'plan', '--no-read-sources', '--json', '--config', config, '--identity', 'E200'], text.io)).toBe(0);
    expect(JSON.parse(text.stdout()).changes.map((c: { id: string }) => c.id)).toEqual(['app:E100:update']);
    const unknown = capturedIo({ cwd: dir! });
    expect(await runCli(['node', 'roster', 'plan', '--no-read-sources', '--config', config, '--identity', 'E999'], unknown.io)).not.toBe(0);
    expect(unknown.stderr()).toContain('no identity with id E999');
  });
});
