import { describe, expect, it } from 'vitest';
import { AttributeMapping } from './mapping.js';

describe('AttributeMapping', () => {
  it('reads back every attribute the target writes: a mapped one by its LDAP name, any other by its own', () => {
    const mapping = new AttributeMapping({ email: 'mail' }, 'uid', 'corp-ldap', ['uid', 'email', 'title', 'cn', 'dn', 'not an attribute']);
    expect(mapping.readAttributes().sort()).toEqual(['cn', 'mail', 'title', 'uid']);
    expect([...mapping.readBack()].sort()).toEqual(['cn', 'email', 'title', 'uid']);
    const values = new Map([['mail', ['a@example.com']], ['title', ['Engineer']], ['uid', ['a']]]);
    // cn is written but absent from the entry: absent from the account, so reconcile knows it was cleared.
    expect(mapping.fromEntry(values)).toEqual({ uid: 'a', email: 'a@example.com', title: 'Engineer' });
  });

  it('without the written list, reads only what connection.users.attributes maps and the key', () => {
    const mapping = new AttributeMapping({ email: 'mail' }, 'uid', 'corp-ldap');
    expect(mapping.readAttributes().sort()).toEqual(['mail', 'uid']);
  });
});

describe('AttributeMapping: what is never read, and names a server answers with', () => {
  it('never reads a write-only attribute (a password), so no hash reaches a link and reconcile keeps what Roster wrote', () => {
    const mapping = new AttributeMapping({ password: 'userPassword' }, 'uid', 'corp-ldap', ['uid', 'password', 'unicodePwd']);
    expect(mapping.readAttributes()).toEqual(['uid']);
    expect([...mapping.readBack()]).toEqual(['uid']);
    expect(mapping.fromEntry(new Map([['uid', ['a']], ['userpassword', ['{SSHA}x']]]))).toEqual({ uid: 'a' });
  });

  it('finds an attribute written under an alias under the name the server answers with (sn for surname)', () => {
    const mapping = new AttributeMapping({ lastName: 'surname' }, 'uid', 'corp-ldap', ['uid', 'lastName', 'mobileTelephoneNumber']);
    expect(mapping.fromEntry(new Map([['uid', ['a']], ['surname', []], ['sn', ['Lovelace']], ['mobile', ['+44 1']]]))).toEqual({ uid: 'a', lastName: 'Lovelace', mobileTelephoneNumber: '+44 1' });
  });
});

describe('AttributeMapping.ldapName', () => {
  it('answers a mapped or written name, and refuses a name with no LDAP form, every time', () => {
    const mapping = new AttributeMapping({ email: 'mail' }, 'uid', 'corp-ldap', ['uid', 'title', 'not an attribute']);
    for (let i = 0; i < 2; i++) {
      expect(mapping.ldapName('email')).toBe('mail');
      expect(mapping.ldapName('title')).toBe('title');
      expect(mapping.ldapName('department')).toBe('department');
      expect(() => mapping.ldapName('not an attribute')).toThrow(/has no LDAP name/);
    }
  });
});
