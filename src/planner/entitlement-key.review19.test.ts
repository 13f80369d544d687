import { describe, expect, it } from 'vitest';
import { entitlementKey } from './normalise.js';

describe('entitlementKey: one DN spelled several ways is one entitlement (review19)', () => {
  it.each([
    ['cn=Smith\\, John,ou=groups,dc=x', 'cn=Smith\\2C John,ou=groups,dc=x'],
    ['cn=R\\26D,ou=groups,dc=x', 'cn=R&D,ou=groups,dc=x'],
    ['cn=a\\+b,ou=groups,dc=x', 'CN=a\\2bb, OU=Groups,DC=x'],
    ['cn=Zo\\c3\\ab,ou=groups,dc=x', 'cn=Zoë,ou=groups,dc=x'],
    ['cn=Zoe\u0308,ou=groups,dc=x', 'cn=ZOË,ou=groups,dc=x'],
    ['cn="Q",ou=g', 'cn=\\22Q\\22,ou=g'],
    ['cn=x+uid=y,ou=g', 'uid=y+cn=x,ou=g'],
  ])('%s = %s', (a, b) => {
    expect(entitlementKey(a)).toBe(entitlementKey(b));
  });

  it.each([
    ['cn=Smith\\, John,ou=groups', 'cn=Smith John,ou=groups'],
    ['cn=R\\26D,ou=groups', 'cn=RD,ou=groups'],
    ['cn=a\\+b,ou=g', 'cn=a,ou=g'],
    ['DOMAIN\\admins', 'domain\\\\admins'],
  ])('%s differs from %s', (a, b) => {
    expect(entitlementKey(a)).not.toBe(entitlementKey(b));
  });

  it('leaves names that are no DN as they were: trimmed and lower-cased', () => {
    expect(entitlementKey('  Engineering ')).toBe('engineering');
    expect(entitlementKey('DOMAIN\\Admins')).toBe('domain\\admins');
    expect(entitlementKey('R+D Team')).toBe('r+d team');
    expect(entitlementKey('Zoë\'s Team')).toBe('zoë\'s team');
    expect(entitlementKey('cn=eng, ou=groups')).toBe('cn=eng,ou=groups');
  });
});
