import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import type { SourceConfig } from '../config/types.js';
import type { Logger } from '../connectors/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { RosterEngine } from './engine.js';
import { Scheduler } from './scheduler.js';

/**
 * Review 21: a scheduled source run (`sources[].schedule` in `roster serve`)
 * logs one info line, as the scheduled reconcile does: the source, the pass
 * it made, its counts and how long it took. Before, nothing was logged at
 * info: an operator could not tell that the schedule ran at all. Never a
 * person's key or attribute values (personal data).
 */
interface Said { readonly level: string; readonly message: string; readonly fields?: Record<string, unknown> }

function recorder(): { readonly log: Logger; readonly said: Said[] } {
  const said: Said[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void said.push({ level, message, ...(fields ? { fields } : {}) });
  return { said, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Logger };
}

const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, schedule: "*/5 * * * *", fields: { status: status, startDate: startDate, endDate: endDate } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId.lowerAscii(), name: identity.givenName }
    safety: { maxDisables: 100%, maxRevokes: 100% }
`;
const HEAD = 'employeeId,givenName,status,startDate,endDate\n';

describe('review21: scheduled source run log', () => {
  const dir = useEngineDir('r21-sched-source');

  it('one info line per run: source, mode, counts, duration, and what it applied; no personal data', async () => {
    const now = new Date('2030-01-10T09:00:00Z');
    const files = { 'employees.csv': `${HEAD}E1,Ada,active,2030-01-01,\nE2,Alan,active,2030-01-01,\nE3,Grace,active,2030-01-01,\n` };
    const engine = await dir.open(yaml, { files, log: recorder().log, now: () => now });
    const first = recorder();
    const scheduler = new Scheduler(engine as unknown as RosterEngine, first.log, () => now);
    const source = engine.config.sources[0]!;
    await scheduler.runSource(source);
    expect(first.said.filter((s) => s.level === 'info')).toEqual([{ level: 'info', message: 'scheduled source run', fields: {
      source: 'hr', mode: 'full', received: 3, new: 3, changed: 0, missing: 0, leavers: 0, problems: 0, ms: expect.any(Number),
      planId: expect.any(String), applied: 3, failed: 0,
    } }]);

    // Alan leaves (yesterday), Grace gets an end date to come (not a leaver yet), Ada is renamed, and a row without a key is skipped.
    dir.write('employees.csv', `${HEAD}E1,Ada L.,active,2030-01-01,\nE2,Alan,terminated,2030-01-01,2030-01-09\nE3,Grace,active,2030-01-01,2030-06-30\n,Nobody,active,2030-01-01,\n`);
    const second = recorder();
    await new Scheduler(engine as unknown as RosterEngine, second.log, () => now).runSource(source);
    const info = second.said.filter((s) => s.level === 'info');
    expect(info).toEqual([{ level: 'info', message: 'scheduled source run', fields: {
      source: 'hr', mode: 'full', received: 3, new: 0, changed: 3, missing: 0, leavers: 1, problems: 1, ms: expect.any(Number),
      planId: expect.any(String), applied: 2, failed: 0,
    } }]);
    for (const value of ['Ada', 'Alan', 'Grace', 'Nobody', 'E1', 'E2', 'E3']) expect(JSON.stringify(info)).not.toContain(value);

    // Nothing changed: still one line, with nothing applied.
    const third = recorder();
    await new Scheduler(engine as unknown as RosterEngine, third.log, () => now).runSource(source);
    expect(third.said.filter((s) => s.level === 'info').map((s) => s.fields)).toEqual([{
      source: 'hr', mode: 'full', received: 3, new: 0, changed: 0, missing: 0, leavers: 0, problems: 1, ms: expect.any(Number),
    }]);
  });

  describe('the pass the read made', () => {
    let tmp: string | undefined;
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      tmp = store = undefined;
    });

    it('an incremental run that read in full (no cursor yet) says full', async () => {
      tmp = mkdtempSync(join(tmpdir(), 'roster-r21-sched-mode-'));
      store = await openStore('sqlite:./roster.db', { baseDir: tmp });
      const source = { id: 'corp-dir', type: 'ldap', schedule: '*/15 * * * *' } as unknown as SourceConfig;
      const asked: string[] = [];
      const engine = {
        config: { sources: [source], targets: [] },
        store,
        async readSource(id: string, _actor: string, options: { mode: string }) {
          asked.push(options.mode);
          return { sourceId: id, received: 2, created: 0, changed: 0, unchanged: 2, missing: 0, problems: [], diagnostics: [], events: [], affected: [], mode: 'full' };
        },
      } as unknown as RosterEngine;
      const { log, said } = recorder();
      await new Scheduler(engine, log, () => new Date('2030-01-01T00:00:00Z')).runSource(source);
      expect(asked).toEqual(['incremental']);
      expect(said.filter((s) => s.level === 'info').map((s) => s.fields?.mode)).toEqual(['full']);
    });
  });
});
