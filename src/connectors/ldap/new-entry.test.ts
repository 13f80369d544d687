import { describe, expect, it } from 'vitest';
import { keyDeterminesDn } from './new-entry.js';

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
