import { describe, expect, it } from 'vitest';
import { keyDeterminesDn, leavesKeyedRdn, withKey } from './new-entry.js';

describe('keyDeterminesDn', () => {
  it('is true only when the key alone, in the RDN, names the entry', () => {
    expect(keyDeterminesDn('uid={uid},ou=people,dc=x', 'uid')).toBe(true);
    expect(keyDeterminesDn('cn={uid}+sn=x,ou=people,dc=x', 'uid')).toBe(true);
    expect(keyDeterminesDn('uid={uid},ou={department},dc=x', 'uid')).toBe(false);
    expect(keyDeterminesDn('cn={displayName},ou=people,dc=x', 'uid')).toBe(false);
    expect(keyDeterminesDn('cn=a\\,{x},ou={uid},dc=x', 'uid')).toBe(false);
    expect(keyDeterminesDn('cn=fixed\\,name,uid={uid},dc=x', 'uid')).toBe(false);
  });
});

describe('withKey', () => {
  it('adds the key to the RDN as a second value, escaped', () => {
    expect(withKey('cn=John Smith,ou=disabled,dc=x', { attribute: 'uid', value: 'jsmith' })).toBe('cn=John Smith+uid=jsmith,ou=disabled,dc=x');
    expect(withKey('cn=Smith\\2c John,ou=disabled,dc=x', { attribute: 'uid', value: 'a+b,c' })).toBe('cn=Smith\\2c John+uid=a\\2bb\\2cc,ou=disabled,dc=x');
  });
  it('adds nothing when the RDN has the key attribute already (any case)', () => {
    expect(withKey('uid=jsmith,ou=disabled,dc=x', { attribute: 'uid', value: 'jsmith' })).toBeUndefined();
    expect(withKey('cn=J+UID=jsmith,ou=disabled,dc=x', { attribute: 'uid', value: 'jsmith' })).toBeUndefined();
  });
});

describe('leavesKeyedRdn', () => {
  it('is true only when the key attribute is in the old RDN and not in the new one', () => {
    expect(leavesKeyedRdn('cn=J+uid=j,ou=disabled,dc=x', 'cn=J,ou=people,dc=x', 'uid')).toBe(true);
    expect(leavesKeyedRdn('cn=J+uid=j,ou=disabled,dc=x', 'cn=K+uid=j,ou=disabled,dc=x', 'uid')).toBe(false);
    expect(leavesKeyedRdn('cn=J,ou=disabled,dc=x', 'cn=J,ou=people,dc=x', 'uid')).toBe(false);
    expect(leavesKeyedRdn('uid=old,ou=people,dc=x', 'uid=new,ou=people,dc=x', 'uid')).toBe(false);
  });
});
