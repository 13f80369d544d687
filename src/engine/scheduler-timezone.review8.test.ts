import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import { silentLogger } from '../core/log.js';
import type { RosterEngine } from './engine.js';
import { Scheduler } from './scheduler.js';

/**
 * Cron schedules are read in `lifecycle.timezone` (default UTC), never in the
 * host's zone: two hosts in different zones fire at the same instants. The
 * host zone is set to one far from both to show it plays no part.
 */
const source = (schedule: string): SourceConfig => ({
  id: 'hr', type: 'csv', path: './hr.csv', key: 'employeeId', delimiter: ',', complete: true, maxMissing: { percent: 20 }, schedule,
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
});

describe('Scheduler time zone (review8)', () => {
  const hostZone = process.env.TZ;
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    if (hostZone === undefined) delete process.env.TZ;
    else process.env.TZ = hostZone;
  });

  const start = (schedule: string, timezone: string | undefined, now: Date): Scheduler => {
    const engine = { config: { sources: [source(schedule)], targets: [], ...(timezone === undefined ? {} : { lifecycle: { timezone } }) } } as unknown as RosterEngine;
    scheduler = new Scheduler(engine, silentLogger, () => now);
    scheduler.start();
    return scheduler;
  };

  it('0 9 * * * in Europe/Berlin fires at 08:00Z in winter and 07:00Z in summer, whatever the host zone', () => {
    process.env.TZ = 'Asia/Tokyo';
    const winter = start('0 9 * * *', 'Europe/Berlin', new Date('2026-01-15T00:00:00Z'));
    expect(winter.nextRuns().map((r) => [r.job, r.at?.toISOString()])).toEqual([['hr', '2026-01-15T08:00:00.000Z']]);
    expect(winter.nextRuns(new Date('2026-01-15T08:00:00Z'))[0]?.at?.toISOString()).toBe('2026-01-16T08:00:00.000Z');
    expect(winter.nextRuns(new Date('2026-07-15T00:00:00Z'))[0]?.at?.toISOString()).toBe('2026-07-15T07:00:00.000Z');
  });

  it('without lifecycle.timezone a schedule is read in UTC, not in the host zone', () => {
    process.env.TZ = 'America/New_York';
    const utc = start('0 9 * * *', undefined, new Date('2026-01-15T00:00:00Z'));
    expect(utc.nextRuns()[0]?.at?.toISOString()).toBe('2026-01-15T09:00:00.000Z');
  });
});
