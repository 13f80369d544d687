import { describe, expect, it } from 'vitest';
import type { LinkedAccount } from '../core/types.js';
import { newLink } from './link.js';
import { notGrantedAfterRead, withNotGranted } from './not-granted.js';

const AT = '2026-11-28T09:00:00.000Z';
const link = (over: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'ldap', identityId: 'E1', accountId: 'u1', attributes: {}, entitlements: ['eng'], enabled: true, createdAt: AT, updatedAt: AT, ...over,
});

describe('the memberships Roster never granted, as reconcile records them (review15)', () => {
  it('a link to an account Roster did not create: every membership it holds, once each; none: no field', () => {
    expect(newLink('ldap', 'E1', { accountId: 'u1', attributes: {}, entitlements: ['CN=VPN,OU=G', 'eng', 'cn=vpn, ou=g'], enabled: true }, AT).notGranted)
      .toEqual(['CN=VPN,OU=G', 'eng']);
    expect(Object.keys(newLink('ldap', 'E1', { accountId: 'u1', attributes: {}, entitlements: [], enabled: true }, AT))).not.toContain('notGranted');
  });

  it('a refresh: what the link did not list was added by hand; earlier entries stay only while held', () => {
    const before = link({ entitlements: ['eng', 'Old', 'gone'], notGranted: ['old', 'gone'] });
    expect(notGrantedAfterRead(before, ['eng', 'OLD', 'manual'])).toEqual(['OLD', 'manual']);
    // A respelling of a listed group (DN case) is not a new membership.
    expect(notGrantedAfterRead(link({ entitlements: ['CN=Eng,OU=G'] }), ['cn=eng, ou=g'])).toBeUndefined();
    expect(notGrantedAfterRead(link(), ['eng'])).toBeUndefined();
    expect(notGrantedAfterRead(link({ notGranted: ['gone'] }), ['eng'])).toBeUndefined();
  });

  it('an unchanged record is the link\'s own array, and the link itself comes back untouched', () => {
    const before = link({ entitlements: ['eng', 'vpn'], notGranted: ['vpn'] });
    const same = notGrantedAfterRead(before, ['vpn', 'eng']);
    expect(same).toBe(before.notGranted);
    expect(withNotGranted(before, same)).toBe(before);
    const none = link();
    expect(withNotGranted(none, undefined)).toBe(none);
    expect(Object.keys(withNotGranted(before, []))).not.toContain('notGranted');
  });
});
