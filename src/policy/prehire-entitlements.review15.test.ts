import { describe, expect, it } from 'vitest';
import { planOf } from '../planner/plan-fixtures.js';
import { desiredOne } from './policy-fixtures.js';
import { ENTITLEMENTS_AT_START } from './reasons.js';
import { identity, link, testConfig, testLifecycle } from './test-config.js';

/**
 * Review 15: a future hire's disabled account held its birthright groups
 * from `prehireLeadDays` before the start. lifecycle.prehireEntitlements:
 * false keeps it without entitlements until the start-day enable grants them.
 */
const at = (iso: string): Date => new Date(iso);
const hire = identity('e1', { state: 'prehire', startAt: '2026-03-20T00:00:00.000Z' });
const leastPrivilege = testConfig({ lifecycle: testLifecycle({ prehireEntitlements: false }) });
const BEFORE = at('2026-03-13T00:00:00.000Z');
const START = at('2026-03-20T00:00:00.000Z');

describe('lifecycle.prehireEntitlements (review 15)', () => {
  it('default (and true): the prepared account holds its entitlements, as before', () => {
    for (const config of [testConfig(), testConfig({ lifecycle: testLifecycle({ prehireEntitlements: true }) })]) {
      expect(desiredOne(hire, { now: BEFORE }, config)).toMatchObject({
        present: true, enabled: false, reasons: ['joiner.prehire'], entitlements: ['engineers', 'git', 'users'],
      });
    }
  });

  it('false: created disabled with its attributes, no entitlements, and the explanation says why', () => {
    const d = desiredOne(hire, { now: BEFORE }, leastPrivilege);
    expect(d).toMatchObject({ present: true, enabled: false, reasons: ['joiner.prehire', ENTITLEMENTS_AT_START], entitlements: [] });
    expect(d.attributes).toMatchObject({ username: 'jane.doe', email: 'e1@example.com' });
    expect(d.explanations.find((x) => x.subject === 'state')?.detail)
      .toBe('starts 2026-03-20; accounts are prepared 7 day(s) ahead, disabled until the start, without entitlements until then '
        + '(lifecycle.prehireEntitlements: false): the roles\' grants come with the enable on the start day');
    expect(planOf([d], []).changes.map((c) => [c.action, c.reasons])).toEqual([['create', ['joiner.prehire', ENTITLEMENTS_AT_START]]]);
  });

  it('false: the start-day plan enables the account and grants the entitlements (joiner, role.added)', () => {
    const prepared = link('e1', { enabled: false, attributes: { username: 'jane.doe', email: 'e1@example.com', department: 'Engineering' } });
    const d = desiredOne(hire, { now: START, links: [prepared] }, leastPrivilege);
    expect(d).toMatchObject({ enabled: true, reasons: ['joiner'], entitlements: ['engineers', 'git', 'users'] });
    expect(planOf([d], [prepared]).changes.map((c) => [c.action, c.after?.entitlement ?? null, c.reasons])).toEqual([
      ['enable', null, ['joiner']],
      ['grant', 'engineers', ['joiner', 'role.added']],
      ['grant', 'git', ['joiner', 'role.added']],
      ['grant', 'users', ['joiner', 'role.added']],
    ]);
  });

  it('false after accounts were prepared with entitlements: they are revoked with the pre-hire reason, not role.removed', () => {
    const prepared = link('e1', { enabled: false, attributes: { username: 'jane.doe', email: 'e1@example.com', department: 'Engineering' }, entitlements: ['users'] });
    const d = desiredOne(hire, { now: BEFORE, links: [prepared] }, leastPrivilege);
    expect(planOf([d], [prepared]).changes.map((c) => [c.action, c.reasons])).toEqual([['revoke', ['joiner.prehire', ENTITLEMENTS_AT_START]]]);
  });
});
