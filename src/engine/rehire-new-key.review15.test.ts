import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { capturedIo } from '../cli/testing.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import { openEngine } from './index.js';

const yaml = `
store: sqlite:./roster.db
sources:
  - id: hr
    type: csv
    path: ./employees.csv
    key: employeeId
    fields: { status: status, startDate: startDate, endDate: endDate, previousKey: previousEmployeeId }
    maxMissing: 100%
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: 'identity.givenName.lowerAscii()', department: identity.department }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
    executor: { maxAttempts: 1 }
roles:
  - { id: eng, when: 'identity.department == "Eng"', grants: { app: [engineers] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { app: [sellers] } }
`;
const HEADER = 'employeeId,givenName,department,status,startDate,endDate,previousEmployeeId';
const ZED = 'E0,Zed,Ops,active,2024-01-08,,';
const csv = (...rows: string[]) => `${HEADER}\n${[ZED, ...rows].join('\n')}\n`;

/**
 * A person who leaves and comes back under a new employee id (fields.previousKey):
 * the same identity and the same account, enabled again, not a second account
 * next to the disabled one (review15).
 */
describe('a rehire under a new key continues the identity and its account (memory target, engine and CLI)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    memoryTargets.clear();
  });

  it('E100 hired, terminated, back as E200 naming E100: the same account enabled again; the old row changing changes nothing; explain E200 shows E100', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-review15-rehire-key-'));
    const write = (text: string) => writeFileSync(join(dir!, 'employees.csv'), text);
    const config = join(dir, 'roster.yaml');
    writeFileSync(config, yaml);
    let now = new Date('2026-01-12T09:00:00.000Z');
    write(csv('E100,Ada,Eng,active,2025-01-06,,'));
    const engine = await openEngine(config, { log: silentLogger, now: () => now });
    const accounts = () => memoryTargets.get('app')!.accounts;
    try {
      expect((await engine.sync({ actor: 't' })).result?.errors).toEqual([]);
      expect(accounts().get('ada')).toMatchObject({ enabled: true, entitlements: new Set(['engineers']) });

      now = new Date('2026-06-02T09:00:00.000Z');
      const terminated = csv('E100,Ada,Eng,terminated,2025-01-06,2026-05-31,');
      write(terminated);
      expect((await engine.sync({ actor: 't' })).result?.errors).toEqual([]);
      expect(accounts().get('ada')).toMatchObject({ enabled: false });

      // Back in September under a new id; the HR export still carries the old row.
      now = new Date('2026-09-02T09:00:00.000Z');
      write(csv('E100,Ada,Eng,terminated,2025-01-06,2026-05-31,', 'E200,Ada,Sales,active,2026-09-01,,E100'));
      const back = await engine.sync({ actor: 't' });
      expect(back.result?.errors).toEqual([]);
      expect(back.plan.held).toBe(false);
      expect(back.plan.changes.filter((c) => c.action === 'create')).toEqual([]);
      expect(back.plan.changes.find((c) => c.action === 'enable')).toMatchObject({ id: 'app:E100:enable', reasons: ['rehire'] });
      expect([...accounts().keys()].sort()).toEqual(['ada', 'zed']); // no second account
      expect(accounts().get('ada')).toMatchObject({ enabled: true, entitlements: new Set(['sellers']), attributes: expect.objectContaining({ department: 'Sales' }) });
      expect(await engine.store.identities.get('E200')).toBeUndefined();
      expect(await engine.store.accounts.get('app', 'E100')).toMatchObject({ accountId: 'ada', enabled: true });
      const rehires = (await engine.store.identities.events('E100')).filter((e) => e.kind === 'rehire');
      expect(rehires).toEqual([expect.objectContaining({ reasons: ['rehire', 'rehire.new_key'], changes: { key: { before: 'E100', after: 'E200' } } })]);
      const audit = await engine.store.audit.list({ identity: 'E100' });
      expect(audit.map((e) => e.kind)).toContain('lifecycle.rehire');
      expect((await engine.plan()).changes).toEqual([]);

      // The old row changed in the export (its department corrected): a former key's row, it changes nothing. (An old
      // file replayed without E200 is a snapshot without the person: E200 is gone, as anyone absent from a file.)
      now = new Date('2026-09-03T09:00:00.000Z');
      write(csv('E100,Ada,Legal,terminated,2025-01-06,2026-05-31,', 'E200,Ada,Sales,active,2026-09-01,,E100'));
      const replay = await engine.readSource('hr', 't');
      expect(replay.missing).toBe(0);
      expect(replay.changed).toBe(0);
      expect(replay.diagnostics).toEqual([expect.objectContaining({ code: 'source.key_superseded', identity: 'E100' })]);
      expect(replay.diagnostics[0]!.message).toMatch(/hr line 3: key E100 is a former key of identity E100, continued as E200/);
      expect((await engine.plan()).changes).toEqual([]);
      expect(accounts().get('ada')).toMatchObject({ enabled: true });
    } finally {
      await engine.close();
    }

    const text = capturedIo({ cwd: dir });
    expect(await runCli(['node', 'roster', 'explain', '--config', config, 'E200'], text.io)).toBe(0);
    const out = text.stdout();
    expect(out).toMatch(/^E100 from source hr: active/);
    expect(out).toContain('key E200 continues E100 (rehired under a new key; the identity keeps its id E100)');
    expect(out).toMatch(/rehire key: E100 → E200 {2}rehire, rehire.new_key/);
    expect(out).toMatch(/account: present as ada, enabled/);
  });

  it('pushes (deltas): the new key continues the person, and later pushes of either key reach them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-review15-rehire-push-'));
    const config = join(dir, 'roster.yaml');
    writeFileSync(config, yaml.replace(/type: csv\n {4}path: \.\/employees\.csv/, 'type: push').replace('    maxMissing: 100%\n', ''));
    let now = new Date('2026-01-12T09:00:00.000Z');
    const engine = await openEngine(config, { log: silentLogger, now: () => now });
    const push = (attributes: Record<string, string>) => engine.ingest({
      sourceId: 'hr', complete: false, problems: [], rowsRead: 1, records: [{ key: attributes.employeeId!, attributes, line: 1 }],
    }, 't');
    const ada = { employeeId: 'E100', givenName: 'Ada', department: 'Eng', status: 'active', startDate: '2025-01-06', endDate: '', previousEmployeeId: '' };
    try {
      expect(engine.config.sources[0]).toMatchObject({ type: 'push', complete: false });
      await push(ada);
      now = new Date('2026-06-02T09:00:00.000Z');
      await push({ ...ada, status: 'terminated', endDate: '2026-05-31' });
      now = new Date('2026-09-02T09:00:00.000Z');
      const back = await push({ ...ada, employeeId: 'E200', department: 'Sales', startDate: '2026-09-01', previousEmployeeId: 'E100' });
      expect(back).toMatchObject({ created: 0, changed: 1, affected: ['E100'] });
      expect(back.events.map((e) => e.kind)).toContain('rehire');
      const moved = await push({ ...ada, employeeId: 'E200', department: 'Ops', startDate: '2026-09-01', previousEmployeeId: 'E100' });
      expect(moved).toMatchObject({ created: 0, changed: 1, affected: ['E100'] });
      const late = await push({ ...ada, status: 'terminated', endDate: '2026-05-31' }); // a late delivery of the old key
      expect(late).toMatchObject({ created: 0, changed: 0, affected: [] });
      expect(late.diagnostics.map((d) => d.code)).toEqual(['source.key_superseded']);
      expect(await engine.store.identities.get('E100')).toMatchObject({ state: 'active', attributes: expect.objectContaining({ employeeId: 'E200', department: 'Ops' }) });
      expect((await engine.explain('E200')).keys?.map((k) => [k.key, k.current])).toEqual([['E100', false], ['E200', true]]);
    } finally {
      await engine.close();
    }
  });
});
