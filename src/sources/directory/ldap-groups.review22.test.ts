import { describe, expect, it } from 'vitest';
import { filterGroups } from './filter-groups.js';
import { groupChangeSince, groupStamps } from './ldap-groups.js';

const G = 'cn=staff,ou=groups,dc=example,dc=com';
const groups = filterGroups(`(&(objectClass=inetOrgPerson)(memberOf=${G}))`)!;

describe('ldap memberOf filter groups (review 22)', () => {
  it('reads each named group\'s entryCSN by its normalised DN; one the bind cannot read is empty', async () => {
    const reader = { valueAt: async (dn: string) => (dn === 'CN=Staff,OU=Groups,DC=example,DC=com' ? 'csn-1' : undefined) };
    const both = filterGroups('(|(memberOf=CN=Staff,OU=Groups,DC=example,DC=com)(memberOf=cn=gone,dc=example,dc=com))')!;
    expect(await groupStamps(reader, both)).toEqual({ [G]: 'csn-1', 'cn=gone,dc=example,dc=com': '' });
  });

  it('reads in full when a group changed, cannot be read, or the cursor keeps no entryCSNs; not when they are the same', () => {
    expect(groupChangeSince({ groups: { [G]: 'csn-1' } }, groups, { [G]: 'csn-1' })).toBeUndefined();
    expect(groupChangeSince({ groups: { [G]: 'csn-1' } }, groups, { [G]: 'csn-2' })).toContain('changed since the cursor');
    expect(groupChangeSince({ groups: { [G]: '' } }, groups, { [G]: '' })).toContain('cannot be read');
    expect(groupChangeSince({ kind: 'timestamp' }, groups, { [G]: 'csn-1' })).toContain('keeps no entryCSN');
  });

  it('memberOf in a form naming no one group reads in full every time', () => {
    const any = filterGroups('(&(objectClass=inetOrgPerson)(memberOf=*))')!;
    expect(groupChangeSince({ groups: {} }, any, {})).toContain('without naming one group');
  });
});
