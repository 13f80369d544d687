import { describe, expect, it } from 'vitest';
import { compilePolicy, UniqueIndex } from '../policy/index.js';
import { identity, link, NOW, testConfig, testTarget } from '../policy/test-config.js';
import { applyPlan, planOf, want } from './plan-fixtures.js';

describe('review 6: entitlements two roles spell differently', () => {
  it('one group granted by two roles in different case is granted once', () => {
    const config = testConfig({
      targets: [testTarget({ id: 'ldap' })],
      roles: [
        { id: 'eng', when: 'true', grants: { ldap: ['CN=Eng,OU=Groups,DC=example,DC=com'] } },
        { id: 'dev', when: 'true', grants: { ldap: ['cn=eng, ou=groups, dc=example, dc=com'] } },
      ],
    });
    const [d] = compilePolicy(config).desired(identity('e1'), { now: NOW, linked: new Map(), unique: UniqueIndex.fromAccounts([], config) });
    const p = planOf([d!], [], { targets: config.targets });
    expect(p.changes.filter((c) => c.action === 'grant')).toHaveLength(1);
  });

  it('a linked account missing a group two roles spell differently gets one grant, and nothing once applied', () => {
    const desired = want('e1', { entitlements: ['CN=Eng,OU=Groups', 'cn=eng,ou=groups'] });
    const linked = [link('e1', { attributes: { username: 'e1', email: 'e1@example.com' } })];
    const first = planOf([desired], linked);
    expect(first.changes.map((c) => c.action)).toEqual(['grant']);
    expect(planOf([desired], applyPlan(linked, first)).changes).toEqual([]);
  });

  it('a link holding one entitlement twice (by key) is revoked once', () => {
    const linked = link('e1', { attributes: { username: 'e1', email: 'e1@example.com' }, entitlements: ['cn=eng,ou=groups', 'CN=Eng,OU=Groups'] });
    const p = planOf([want('e1', { entitlements: [] })], [linked]);
    expect(p.changes.map((c) => c.action)).toEqual(['revoke']);
  });
});

describe('review 6: DN-valued attributes with escaped characters compare case-insensitively', () => {
  it('a manager DN with an escaped comma is no change when the directory returns it in its own case', () => {
    const desired = want('e1', { attributes: { username: 'e1', email: 'e1@example.com', manager: 'CN=Doe\\, John,OU=People,DC=example,DC=com' } });
    const linked = link('e1', { attributes: { username: 'e1', email: 'e1@example.com', manager: 'cn=Doe\\, John,ou=People,dc=example,dc=com' } });
    expect(planOf([desired], [linked]).changes).toEqual([]);
  });

  it('an entitlement DN with an escaped comma in another case is neither granted nor revoked', () => {
    const desired = want('e1', { entitlements: ['CN=Sales\\, EMEA,OU=Groups,DC=example,DC=com'] });
    const linked = link('e1', { attributes: { username: 'e1', email: 'e1@example.com' }, entitlements: ['cn=sales\\, emea,ou=groups,dc=example,dc=com'] });
    expect(planOf([desired], [linked]).changes).toEqual([]);
  });
});

describe('review 6: numeric strings too long for a double still compare digit by digit', () => {
  it('an employee number changed in its last digit is an update', () => {
    const desired = want('e1', { attributes: { username: 'e1', email: 'e1@example.com', badge: '12345678901234567891' } });
    const linked = link('e1', { attributes: { username: 'e1', email: 'e1@example.com', badge: '12345678901234567890' } });
    expect(planOf([desired], [linked]).changes.map((c) => c.after?.attributes)).toEqual([{ badge: '12345678901234567891' }]);
  });

  it('short numbers still equal their numeric form, with or without leading zeros (as documented)', () => {
    const desired = want('e1', { attributes: { username: 'e1', email: 'e1@example.com', level: 42, zip: '0042', big: 12345678901234567000 } });
    const linked = link('e1', { attributes: { username: 'e1', email: 'e1@example.com', level: '42', zip: '42', big: '12345678901234567000' } });
    expect(planOf([desired], [linked]).changes).toEqual([]);
  });
});
