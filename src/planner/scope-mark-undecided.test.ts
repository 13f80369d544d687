import { describe, expect, it } from 'vitest';
import type { Change, LinkedAccount } from '../core/types.js';
import { desiredOne } from '../policy/policy-fixtures.js';
import { identity, link, person, testConfig, testTarget } from '../policy/test-config.js';
import { diffAccount } from './diff.js';

/**
 * An account out of scope carries when it left (LinkedAccount.outOfScopeSince),
 * from which its delete grace runs. A plan in which the scope expression
 * fails for the person decides nothing about scope: it must not plan the
 * update that clears that record (the grace would start again when the
 * expression next works, and the delete come late by however long it failed).
 */
describe('the record of leaving scope when policy cannot decide', () => {
  // In scope only in Engineering; `identity.site` is read only for Sales, and this person has no site: the scope fails.
  const target = testTarget({ scope: 'identity.department == "Engineering" || identity.site == "HQ"', attributes: { username: 'identity.employeeId' } });
  const config = testConfig({ targets: [target] });
  const left = '2026-01-10T00:00:00.000Z';
  const outOfScope: LinkedAccount = link('e1', { attributes: { username: 'e1' }, entitlements: [], enabled: false, disabledAt: left, outOfScopeSince: left });

  const plan = (department: string): Change[] => {
    const out: Change[] = [];
    diffAccount(desiredOne(identity('e1', { attributes: person('e1', { department }) }), { links: [outOfScope] }, config), outOfScope, target, out);
    return out;
  };

  it('the scope expression fails: no change, the record and its grace stay', () => {
    const desired = desiredOne(identity('e1', { attributes: person('e1', { department: 'Sales' }) }), { links: [outOfScope] }, config);
    expect(desired).toMatchObject({ undecided: true, reasons: ['expression.failed'] });
    expect(plan('Sales')).toEqual([]);
  });

  it('back in scope for certain: the account is enabled again (which clears the record when applied)', () => {
    expect(plan('Engineering')).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'enable' })]));
  });
});
