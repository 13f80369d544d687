import { describe, expect, it } from 'vitest';
import { RosterError } from '../../core/errors.js';
import { isConnectionError, toDirectoryError } from './errors.js';
import { attributeChanges, entryValues, sameValues, toLdapValues } from './normalise.js';

describe('value normalisation', () => {
  it('turns Roster values into LDAP strings', () => {
    expect(toLdapValues(null)).toEqual([]);
    expect(toLdapValues('')).toEqual([]);
    expect(toLdapValues(['a', ['b', 3]])).toEqual(['a', 'b', '3']);
    expect(toLdapValues(true)).toEqual(['TRUE']);
    expect(toLdapValues(42)).toEqual(['42']);
  });
  it('compares multi-valued attributes as sets and DNs by their canonical form', () => {
    expect(sameValues(['b', 'a'], ['a', 'b'])).toBe(true);
    expect(sameValues(['a'], ['A'])).toBe(false);
    expect(sameValues(['CN=Boss,OU=People'], ['cn=boss, ou=people'], true)).toBe(true);
    expect(sameValues(['a', 'a'], ['a'])).toBe(true);
  });
  it('sends only what changed, with attribute names compared case-insensitively', () => {
    const current = entryValues({ dn: 'x', mail: 'a@x', displayName: ['A'], telephoneNumber: ['1', '2'], Manager: 'CN=Boss,OU=P' });
    const desired = new Map([
      ['mail', ['a@x']],
      ['displayName', ['B']],
      ['telephoneNumber', ['2', '1']],
      ['title', []],
      ['description', []],
      ['manager', ['cn=boss,ou=p']],
    ]);
    current.set('title', ['Eng']);
    expect(attributeChanges(current, desired, new Set(['manager']))).toEqual([
      { attribute: 'displayName', values: ['B'] },
      { attribute: 'title', values: [] },
    ]);
  });
});

describe('directory errors', () => {
  const ldapError = (code: number, message: string) => Object.assign(new Error(message), { code });
  it('busy, unavailable and time limits are retryable target.unavailable', () => {
    for (const code of [3, 51, 52]) {
      const error = toDirectoryError(ldapError(code, 'x'), 't', 'create');
      expect(error.code).toBe('target.unavailable');
      expect(error.retryable).toBe(true);
    }
  });
  it('a dropped or refused connection is retryable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:389'), { code: 'ECONNREFUSED' });
    expect(isConnectionError(refused)).toBe(true);
    expect(toDirectoryError(refused, 't', 'get').retryable).toBe(true);
  });
  it('schema violations are target.rejected with plain words', () => {
    const error = toDirectoryError(ldapError(65, 'object class \'inetOrgPerson\' requires attribute \'sn\''), 'corp', 'create');
    expect(error.code).toBe('target.rejected');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^create on corp: the entry breaks its object classes .*requires attribute 'sn'/);
    expect(toDirectoryError(ldapError(19, 'x'), 't', 'update').code).toBe('target.rejected');
    expect(toDirectoryError(ldapError(64, 'x'), 't', 'update').message).toMatch(/naming rules/);
  });
  it('noSuchObject is target.not_found; entryAlreadyExists is target.conflict', () => {
    expect(toDirectoryError(ldapError(32, 'x'), 't', 'update').code).toBe('target.not_found');
    expect(toDirectoryError(ldapError(68, 'x'), 't', 'create').code).toBe('target.conflict');
  });
  it('wrong credentials are not retried; a RosterError passes through', () => {
    const error = toDirectoryError(ldapError(49, 'invalid credentials'), 't', 'check');
    expect(error.code).toBe('target.unavailable');
    expect(error.retryable).toBe(false);
    const original = new RosterError('target.rejected', 'mine');
    expect(toDirectoryError(original, 't', 'x')).toBe(original);
  });
  it('a diagnostic explainer supplies the plain words', () => {
    const error = toDirectoryError(ldapError(49, '80090308: LdapErr: DSID-0C09041C, data 775, v4563'), 't', 'check', () => 'locked out');
    expect(error.message).toMatch(/check on t: locked out \(LDAP 49/);
  });
});
