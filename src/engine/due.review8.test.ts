import { describe, expect, it } from 'vitest';
import type { RosterConfig } from '../config/types.js';
import type { Identity, LinkedAccount } from '../core/types.js';
import { dueSince } from './due.js';
import { dueStore } from './due-fixtures.js';

/** The tick's due rule for delete graces that do not start at an end date (engine/due.ts). */
describe('dueSince: graces from the link (review8)', () => {
  const DAY = 86_400_000;
  const person = (id: string, updatedAt: string): Identity => ({
    id, sourceId: 'hr', state: 'active', attributes: {}, startAt: '2024-01-01T00:00:00.000Z', version: 1,
    createdAt: '2024-01-01T00:00:00.000Z', updatedAt,
  } as unknown as Identity);
  const link = (identityId: string, extra: Partial<LinkedAccount> & { outOfScopeSince?: string }): LinkedAccount => ({
    target: 'app', identityId, accountId: identityId, attributes: {}, entitlements: [], enabled: true,
    createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', ...extra,
  });
  const store = dueStore;
  const config = (deleteAfterMs: number | null) => ({
    lifecycle: { prehireLeadDays: 7 },
    targets: [{ id: 'app', leaver: { disable: 'never', deleteAfterMs } }],
  }) as unknown as RosterConfig;

  const since = new Date('2030-02-09T00:00:00Z');
  const now = new Date('2030-02-09T00:01:00Z');
  const at = (ms: number) => new Date(ms).toISOString();

  it('an enabled account out of scope (leaver.disable: never) is due when outOfScopeSince + grace passes', async () => {
    const left = Date.parse('2030-01-10T00:00:30Z');
    const s = store([person('E1', '2029-12-01T00:00:00Z'), person('E2', '2029-12-01T00:00:00Z')], [
      link('E1', { outOfScopeSince: at(left) }),
      link('E2', { outOfScopeSince: at(left - DAY) }), // its grace ended a day earlier: covered by an earlier tick
    ]);
    expect(await dueSince(s, config(30 * DAY), since, now)).toEqual(['E1']);
  });

  it('a disabled account is due at its disable + grace, and at its person\'s last change + grace; never without a delete rule', async () => {
    const s = store([person('E1', '2029-01-01T00:00:00Z'), person('E2', '2030-01-10T00:00:10Z'), person('E3', '2030-01-10T00:00:10Z')], [
      link('E1', { enabled: false, disabledAt: '2030-01-10T00:00:20Z' }),
      link('E2', { enabled: false, disabledAt: '2029-06-01T00:00:00Z' }),
      link('E3', {}), // enabled, in scope: a change of the record is no grace
    ]);
    expect((await dueSince(s, config(30 * DAY), since, now)).sort()).toEqual(['E1', 'E2']);
    expect(await dueSince(s, config(null), since, now)).toEqual([]);
  });
});
