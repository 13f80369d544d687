import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { APP_TARGET_YAML, appUsers, csv, person, type Person } from './helpers.js';

/**
 * docs/configuration.md, "Leavers, leave and scope": the delete grace, checked
 * through the engine (HR CSV → SQLite store → sql target on SQLite), time
 * driven by an injected clock.
 */
describe('review 22: the leaver delete grace, end to end', () => {
  const clock = { now: new Date('2026-01-05T09:00:00Z') };
  let engine: Engine | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const fillers = Array.from({ length: 12 }, (_, i) => person({ employeeId: `F${i}`, givenName: 'Filler', familyName: `Person${i}` }));
  const ada = person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' });

  async function open(timezone: string): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'roster-grace-'));
    writeFileSync(join(dir, 'employees.csv'), csv([]));
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./data/roster.db
lifecycle: { timezone: ${timezone} }
sources:
  - id: hr
    type: csv
    path: ./employees.csv
    key: employeeId
    fields: { startDate: startDate, endDate: endDate, status: status, employmentType: employmentType }
targets:
${APP_TARGET_YAML}    leaver: { disable: immediately, delete: after 30d }
    onLeave: disable
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, window: none }
`);
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
  }
  async function sync(at: string, hr: Person[]): Promise<string[]> {
    clock.now = new Date(at);
    writeFileSync(join(dir!, 'employees.csv'), csv([...fillers, ...hr]));
    const result = await engine!.sync({ actor: 'test' });
    expect(result.plan.held).toBe(false);
    expect(result.result?.errors ?? []).toEqual([]);
    return result.plan.changes.filter((c) => c.identity === 'E1').map((c) => c.action);
  }
  const account = () => appUsers(join(dir!, 'data', 'app.db')).get('ada.lovelace');

  it('on leave, then a termination entered late and backdated: the account still gets its whole grace', async () => {
    await open('UTC');
    await sync('2026-01-05T09:00:00Z', [ada]);
    expect(await sync('2026-01-10T09:00:00Z', [{ ...ada, status: 'leave' }])).toContain('disable');
    // Sixty days into the leave HR records that she left on 15 January.
    const left = { ...ada, status: 'terminated', endDate: '2026-01-15' };
    expect(await sync('2026-03-10T09:00:00Z', [left])).not.toContain('delete');
    expect(account()).toMatchObject({ active: 0 });
    expect(await sync('2026-04-08T09:00:00Z', [left])).not.toContain('delete');
    expect(await sync('2026-04-10T09:00:00Z', [left])).toContain('delete');
    expect(account()).toBeUndefined();
  });

  it('a termination entered late without a leave: the grace runs from the disable (verified true)', async () => {
    await open('UTC');
    await sync('2026-01-05T09:00:00Z', [ada]);
    const left = { ...ada, status: 'terminated', endDate: '2026-01-15' };
    expect(await sync('2026-03-10T09:00:00Z', [left])).toContain('disable');
    expect(await sync('2026-04-09T08:59:00Z', [left])).not.toContain('delete');
    expect(account()).toMatchObject({ active: 0 });
    expect(await sync('2026-04-09T09:00:00Z', [left])).toEqual(['delete']);
  });

  it('a 30-day grace across the autumn clock change ends 30 calendar days after the end date, not an hour before', async () => {
    await open('Europe/Berlin');
    await sync('2026-10-01T08:00:00Z', [ada]);
    // Last day 15 October (Berlin): the end is 16 October 00:00 CEST, 15 October 22:00Z.
    const left = { ...ada, status: 'terminated', endDate: '2026-10-15' };
    expect(await sync('2026-10-10T08:00:00Z', [left])).toEqual([]);
    expect(await sync('2026-10-15T22:00:00Z', [left])).toContain('disable');
    // Thirty days later is 15 November 00:00 CET (14 November 23:00Z); 30 × 24 h is an hour earlier, 22:00Z.
    expect(await sync('2026-11-14T22:30:00Z', [left])).not.toContain('delete');
    expect(account()).toMatchObject({ active: 0 });
    expect(await sync('2026-11-14T23:00:00Z', [left])).toEqual(['delete']);
  });

  it('an end date is the end of that day in lifecycle.timezone, west of UTC and on the spring clock change (verified true)', async () => {
    await open('America/New_York');
    await sync('2026-03-01T12:00:00Z', [ada]);
    // Clocks go forward on 8 March 2026 in New York: the end of that day is 9 March 00:00 EDT, 04:00Z.
    const left = { ...ada, status: 'terminated', endDate: '2026-03-08' };
    expect(await sync('2026-03-09T03:59:00Z', [left])).toEqual([]);
    expect(account()).toMatchObject({ active: 1 });
    expect(await sync('2026-03-09T04:00:00Z', [left])).toContain('disable');
    expect(account()).toMatchObject({ active: 0, groups: [] });
  });

  it('a 30-day grace across the spring clock change ends at midnight, not an hour after (UTC zone: exactly 30 × 24 h)', async () => {
    await open('UTC');
    await sync('2026-03-01T08:00:00Z', [ada]);
    const left = { ...ada, status: 'terminated', endDate: '2026-03-15' };
    expect(await sync('2026-03-16T00:00:00Z', [left])).toContain('disable');
    expect(await sync('2026-04-14T23:59:59Z', [left])).not.toContain('delete');
    expect(await sync('2026-04-15T00:00:00Z', [left])).toEqual(['delete']);
  });
});
