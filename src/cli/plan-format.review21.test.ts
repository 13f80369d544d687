import { describe, expect, it } from 'vitest';
import type { Change } from '../core/types.js';
import { describeChange } from './plan-format.js';

/**
 * An accountExpires set by hand on an employee is cleared by the AD example's
 * mapping ("" is "never"): the plan line read `accountExpires: 2026-12-31 → `,
 * a blank after the arrow that looks cut off.
 */
describe('review 21: an empty value in a plan line is shown', () => {
  it('as "" after the arrow of an update', () => {
    const change: Change = {
      id: 'corp-ad:E1001:update', identity: 'E1001', target: 'corp-ad', action: 'update', reasons: ['active', 'mapping.changed'],
      before: { accountId: 'g1', attributes: { accountExpires: '2026-12-31' } }, after: { accountId: 'g1', attributes: { accountExpires: '' } },
    };
    expect(describeChange(change)).toBe('accountExpires: 2026-12-31 → ""');
  });

  it('as "" in a create, and a missing value still as ∅', () => {
    const create: Change = {
      id: 'corp-ad:E1:create', identity: 'E1', target: 'corp-ad', action: 'create', reasons: ['joiner'], before: null,
      after: { attributes: { sAMAccountName: 'ann.lee', accountExpires: '' }, enabled: true },
    };
    expect(describeChange(create)).toBe('sAMAccountName=ann.lee, accountExpires=""');
    const cleared: Change = {
      id: 'app:E2:update', identity: 'E2', target: 'app', action: 'update', reasons: ['mapping.changed'],
      before: { attributes: { title: 'Lead' } }, after: { attributes: {} },
    };
    expect(describeChange(cleared)).toBe('title: Lead → ∅');
  });
});
