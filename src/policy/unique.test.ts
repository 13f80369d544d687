import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import { maxLengthsOf, numbered, UniqueIndex } from './unique.js';

describe('unique() numbering within a length limit', () => {
  it('appends the number to a name with no limit, as before', () => {
    const index = new UniqueIndex(new Map([['app', ['username']]]));
    const long = 'alexandria.montgomery-smithson';
    expect(index.pick('app', 'username', [long], 'p1')).toBe(long);
    expect(index.pick('app', 'username', [long], 'p2')).toBe(`${long}2`);
    expect(index.pick('app', 'username', ['jdoe'], 'p3')).toBe('jdoe');
    expect(index.pick('app', 'username', ['jdoe'], 'p4')).toBe('jdoe2');
  });

  it('a sAMAccountName keeps to 20 characters: the number replaces the last ones, and only when it must', () => {
    const index = new UniqueIndex(new Map([['corp-ad', ['sAMAccountName']]]));
    const twenty = 'alexandria.montgomer';
    expect(index.pick('corp-ad', 'sAMAccountName', [twenty], 'p1')).toBe(twenty);
    expect(index.pick('corp-ad', 'sAMAccountName', [twenty], 'p2')).toBe('alexandria.montgome2');
    expect(index.pick('corp-ad', 'sAMAccountName', [twenty], 'p3')).toBe('alexandria.montgome3');
    // Short names still just get the number.
    expect(index.pick('corp-ad', 'sAMAccountName', ['jsmith'], 'p4')).toBe('jsmith');
    expect(index.pick('corp-ad', 'sAMAccountName', ['jsmith'], 'p5')).toBe('jsmith2');
  });

  it('skips a cut name someone already holds', () => {
    const index = new UniqueIndex(new Map([['corp-ad', ['sAMAccountName']]]));
    index.claim('corp-ad', 'sAMAccountName', 'alexandria.montgomer', 'p1');
    index.claim('corp-ad', 'sAMAccountName', 'Alexandria.Montgome2', 'other');
    expect(index.pick('corp-ad', 'sAMAccountName', ['alexandria.montgomer'], 'p2')).toBe('alexandria.montgome3');
  });

  it('numbered counts characters (code points) and drops a space the cut leaves before the number', () => {
    expect(numbered('abc', 2)).toBe('abc2');
    expect(numbered('abc', 2, 4)).toBe('abc2');
    expect(numbered('abcd', 12, 4)).toBe('ab12');
    expect(numbered('ab cd', 2, 4)).toBe('ab2');
    expect(numbered('ééééé', 2, 5)).toBe('éééé2');
  });

  it('an AD target limits the attribute mapped to sAMAccountName, whatever its Roster name', () => {
    const ad = { type: 'ad', connection: { users: { attributes: { username: 'samaccountname' } } }, attributes: { username: 'unique([identity.a])', mail: 'identity.m' } } as unknown as TargetConfig;
    expect([...maxLengthsOf(ad)]).toEqual([['username', 20]]);
    const plain = { type: 'ad', connection: {}, attributes: { sAMAccountName: 'unique([identity.a])' } } as unknown as TargetConfig;
    expect([...maxLengthsOf(plain)]).toEqual([['sAMAccountName', 20]]);
    expect([...maxLengthsOf({ ...ad, type: 'ldap' })]).toEqual([]);
    const index = new UniqueIndex(new Map([['corp-ad', ['username']]]), [], new Map(), new Map([['corp-ad', maxLengthsOf(ad)]]));
    const twenty = 'alexandria.montgomer';
    index.pick('corp-ad', 'username', [twenty], 'p1');
    expect(index.pick('corp-ad', 'username', [twenty], 'p2')).toBe('alexandria.montgome2');
  });
});
