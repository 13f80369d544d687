import { describe, expect, it } from 'vitest';
import { NOT_GRANTED, ROLE_REMOVED } from '../policy/reasons.js';
import { link } from '../policy/test-config.js';
import { planOf, want } from './plan-fixtures.js';

/**
 * Review 15: a membership Roster never granted (added in the target by hand,
 * or held when reconcile adopted the account: LinkedAccount.notGranted) was
 * revoked with `role.removed`, though no role was removed.
 */
const attributes = { username: 'e1', email: 'e1@example.com' };

describe('the reason of a revoke: a membership Roster granted or one it never did (review 15)', () => {
  it('one Roster never granted says entitlement.not_granted; one it granted keeps role.removed', () => {
    const linked = link('e1', { attributes, entitlements: ['CN=VPN,OU=G', 'eng', 'users'], notGranted: ['cn=vpn, ou=g'] });
    const p = planOf([want('e1', { entitlements: ['users'] })], [linked]);
    expect(p.changes.map((c) => [c.action, c.before?.entitlement, c.reasons])).toEqual([
      ['revoke', 'CN=VPN,OU=G', ['active', NOT_GRANTED]],
      ['revoke', 'eng', ['active', ROLE_REMOVED]],
    ]);
  });

  it('without a record (a link from before, or none found by hand) every revoke is role.removed, as before', () => {
    const p = planOf([want('e1', { entitlements: [] })], [link('e1', { attributes, entitlements: ['eng'] })]);
    expect(p.changes.map((c) => c.reasons)).toEqual([['active', ROLE_REMOVED]]);
  });

  it('a leaver\'s revoke-all keeps the lifecycle\'s reasons whoever granted the membership', () => {
    const linked = link('e1', { attributes, entitlements: ['eng', 'vpn'], notGranted: ['vpn'] });
    const leaver = want('e1', { enabled: false, reasons: ['leaver.terminated', 'leaver.revoke_all'] });
    const p = planOf([leaver], [linked]);
    expect(p.changes.filter((c) => c.action === 'revoke').map((c) => c.reasons)).toEqual([
      ['leaver.terminated', 'leaver.revoke_all'], ['leaver.terminated', 'leaver.revoke_all'],
    ]);
  });
});
