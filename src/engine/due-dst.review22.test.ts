import { describe, expect, it } from 'vitest';
import type { RosterConfig } from '../config/types.js';
import type { Identity, LinkedAccount } from '../core/types.js';
import { dueSince } from './due.js';
import { dueStore } from './due-fixtures.js';

const DAY = 86_400_000;

/**
 * The scheduler's date-driven pass (engine/due.ts) wakes a person when the
 * policy's decision changes: a delete grace of whole days, and the prehire
 * lead, are calendar days in lifecycle.timezone (policy/lifecycle-rules.ts),
 * so across a clock change the tick must fire at that moment, not 24 h × n
 * after (an hour early: nothing to do, and nothing wakes the person again
 * until a full read).
 */
describe('review 22: dueSince across a daylight-saving change (Europe/Berlin)', () => {
  const person = (id: string, dates: Partial<Identity>): Identity => ({
    id, sourceId: 'hr', state: 'terminated', attributes: {}, version: 1,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...dates,
  } as unknown as Identity);
  const link = (identityId: string, extra: Partial<LinkedAccount>): LinkedAccount => ({
    target: 'app', identityId, accountId: identityId, attributes: {}, entitlements: [], enabled: false,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...extra,
  });
  const store = dueStore;
  const config = {
    lifecycle: { prehireLeadDays: 7, timezone: 'Europe/Berlin' },
    targets: [{ id: 'app', leaver: { disable: 'immediately', deleteAfterMs: 30 * DAY } }],
  } as unknown as RosterConfig;
  const tick = (at: string) => [new Date(Date.parse(at) - 60_000), new Date(at)] as const;

  it('a grace from an end date (16 October 00:00 CEST) is due 30 days later at 15 November 00:00 CET, 23:00Z', async () => {
    const s = store([person('E1', { endAt: '2026-10-15T22:00:00.000Z' })], []);
    expect(await dueSince(s, config, ...tick('2026-11-14T22:00:00Z'))).toEqual([]);
    expect(await dueSince(s, config, ...tick('2026-11-14T23:00:00Z'))).toEqual(['E1']);
  });

  it('a grace from a disable is due 30 calendar days later at the same wall-clock time', async () => {
    const s = store([person('E1', { endAt: '2026-01-01T00:00:00.000Z' })], [link('E1', { disabledAt: '2026-10-15T22:00:00.000Z' })]);
    expect(await dueSince(s, config, ...tick('2026-11-14T22:00:00Z'))).toEqual([]);
    expect(await dueSince(s, config, ...tick('2026-11-14T23:00:00Z'))).toEqual(['E1']);
  });

  it('a future hire starting 1 April is due when the 7-day lead opens, 25 March 00:00 CET (24 March 23:00Z)', async () => {
    const s = store([person('E1', { state: 'prehire', startAt: '2026-03-31T22:00:00.000Z' })], []);
    expect(await dueSince(s, config, ...tick('2026-03-24T22:00:00Z'))).toEqual([]);
    expect(await dueSince(s, config, ...tick('2026-03-24T23:00:00Z'))).toEqual(['E1']);
  });
});
