import { describe, expect, it } from 'vitest';
import { memberIds, wantsGroups } from './groups.js';

describe('memberIds', () => {
  it('reads the string values of members and skips anything else', () => {
    expect(memberIds({ members: [{ value: 'a' }, { value: 2 }, 'b', null, { display: 'c' }, { value: 'd', type: 'Group' }] })).toEqual(['a', 'd']);
    expect(memberIds({ members: 'a' })).toEqual([]);
    expect(memberIds(undefined)).toEqual([]);
  });
});

describe('wantsGroups (RFC 7644 §3.9)', () => {
  it('is asked for by default, unless excluded', () => {
    expect(wantsGroups(undefined, undefined)).toBe(true);
    expect(wantsGroups(undefined, 'emails, Groups')).toBe(false);
    expect(wantsGroups(undefined, 'groups.value')).toBe(false);
  });

  it('with attributes, only when named, plainly, by sub-attribute or by URN', () => {
    expect(wantsGroups('userName', undefined)).toBe(false);
    expect(wantsGroups('userName,groups', undefined)).toBe(true);
    expect(wantsGroups('groups.display', undefined)).toBe(true);
    expect(wantsGroups('urn:ietf:params:scim:schemas:core:2.0:User:groups', undefined)).toBe(true);
  });
});
