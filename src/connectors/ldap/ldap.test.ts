import { describe, expect, it } from 'vitest';
import { AttributeMapping } from '../directory/mapping.js';
import { entryValues } from '../directory/normalise.js';
import { ldapConnectionSchema } from './config.js';
import { inOu, isEntryEnabled, newEntryBody } from './new-entry.js';

const base = {
  url: 'ldap://127.0.0.1:3890',
  bindDN: 'cn=admin,dc=example,dc=com',
  password: 'secret',
  users: { base: 'dc=example,dc=com', dn: 'uid={uid},ou=people,dc=example,dc=com', key: 'uid', attributes: { email: 'mail' }, defaults: { cn: '{givenName} {sn}', sn: '{uid}' } },
};

describe('ldap connection schema', () => {
  it('accepts the documented shape and fills defaults', () => {
    const parsed = ldapConnectionSchema.parse(base);
    expect(parsed.poolSize).toBe(4);
    expect(parsed.pageSize).toBe(500);
    expect(parsed.users.objectClasses).toEqual(['inetOrgPerson']);
  });
  it('refuses unknown keys, bad URLs, bad DNs and attribute names that could inject', () => {
    expect(ldapConnectionSchema.safeParse({ ...base, extra: true }).success).toBe(false);
    expect(ldapConnectionSchema.safeParse({ ...base, url: 'http://x' }).success).toBe(false);
    expect(ldapConnectionSchema.safeParse({ ...base, users: { ...base.users, base: 'people' } }).success).toBe(false);
    expect(ldapConnectionSchema.safeParse({ ...base, users: { ...base.users, attributes: { email: 'mail)(uid=*' } } }).success).toBe(false);
    expect(ldapConnectionSchema.safeParse({ ...base, disable: { strategy: 'move' } }).success).toBe(false);
    expect(ldapConnectionSchema.safeParse({ ...base, disable: { strategy: 'attribute', attribute: 'pwdAccountLockedTime', value: '000001010000Z' } }).success).toBe(true);
  });
  it('takes a uidNumber range only with min not above max', () => {
    const posix = (min: number, max: number) => ldapConnectionSchema.safeParse({ ...base, users: { ...base.users, posix: { uidNumber: { min, max }, gidNumber: 100 } } });
    expect(posix(10000, 10000).success).toBe(true);
    const reversed = posix(20000, 10000);
    expect(reversed.success).toBe(false);
    expect(reversed.error?.issues[0]?.message).toBe('min must not be above max');
  });
});

describe('new entries and the enabled flag', () => {
  const users = ldapConnectionSchema.parse(base).users;
  const mapping = new AttributeMapping(users.attributes, users.key, 't');
  it('maps attributes, fills defaults only when absent, marks a disabled joiner', () => {
    const disable = { strategy: 'attribute' as const, attribute: 'pwdAccountLockedTime', value: '000001010000Z' };
    const body = newEntryBody({ attributes: { uid: 'zoë', email: 'z@x', givenName: 'Zoë', sn: 'Ångström', phone: null }, enabled: false }, users, disable, mapping);
    expect(body).toEqual({
      objectClass: ['inetOrgPerson'], uid: ['zoë'], mail: ['z@x'], givenName: ['Zoë'], sn: ['Ångström'], cn: ['Zoë Ångström'], pwdAccountLockedTime: ['000001010000Z'],
    });
  });
  it('reads enabled from the strategy', () => {
    const entry = (dn: string, values: Record<string, string>) => ({ dn, uuid: 'u', values: entryValues(values) });
    const move = { strategy: 'move' as const, ou: 'ou=disabled,dc=x' };
    expect(isEntryEnabled(entry('uid=a,ou=Disabled,dc=x', {}), move)).toBe(false);
    expect(isEntryEnabled(entry('uid=a,ou=people,dc=x', {}), move)).toBe(true);
    const attribute = { strategy: 'attribute' as const, attribute: 'pwdAccountLockedTime', value: '000001010000Z' };
    expect(isEntryEnabled(entry('uid=a,dc=x', { pwdAccountLockedTime: '000001010000Z' }), attribute)).toBe(false);
    expect(isEntryEnabled(entry('uid=a,dc=x', {}), attribute)).toBe(true);
    expect(inOu('uid=a\\2cb,ou=people,dc=x', 'ou=disabled,dc=x')).toBe('uid=a\\2cb,ou=disabled,dc=x');
  });
});
