import { describe, expect, it } from 'vitest';
import { AttributeMapping } from './mapping.js';

describe('AttributeMapping', () => {
  it('reads back every attribute the target writes: a mapped one by its LDAP name, any other by its own', () => {
    const mapping = new AttributeMapping({ email: 'mail' }, 'uid', 'corp-ldap', ['uid', 'email', 'title', 'cn', 'dn', 'not an attribute']);
    expect(mapping.readAttributes().sort()).toEqual(['cn', 'mail', 'title', 'uid']);
    const values = new Map([['mail', ['a@example.com']], ['title', ['Engineer']], ['uid', ['a']]]);
    // cn is written but absent from the entry: absent from the account, so reconcile knows it was cleared.
    expect(mapping.fromEntry(values)).toEqual({ uid: 'a', email: 'a@example.com', title: 'Engineer' });
  });

  it('without the written list, reads only what connection.users.attributes maps and the key', () => {
    const mapping = new AttributeMapping({ email: 'mail' }, 'uid', 'corp-ldap');
    expect(mapping.readAttributes().sort()).toEqual(['mail', 'uid']);
  });
});
