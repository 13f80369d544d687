import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import type { TargetAccount } from '../core/types.js';
import { bindAccountTest } from './bind-account.js';

const target = (bindDN: string | undefined, accountKey = 'uid', usersKey?: string): TargetConfig =>
  ({ id: 'corp', accountKey, connection: { ...(bindDN === undefined ? {} : { bindDN }), ...(usersKey === undefined ? {} : { users: { key: usersKey } }) } }) as unknown as TargetConfig;
const account = (attributes: Record<string, unknown>): TargetAccount => ({ accountId: 'a', attributes, entitlements: [], enabled: true });

describe('the account Roster binds as', () => {
  it('is the entry whose key is the bind DN leaf value, when the leaf names the key', () => {
    const test = bindAccountTest(target('UID=Svc-Roster,ou=people,dc=example,dc=com'));
    expect(test(account({ uid: 'svc-roster' }))).toBe(true);
    expect(test(account({ uid: ['svc-roster', 'old'] }))).toBe(true);
    expect(test(account({ uid: 'svc-roster2' }))).toBe(false);
    // A leaf of another attribute says nothing about the key, but names the attribute it is when the read carries it.
    expect(bindAccountTest(target('cn=svc-roster,ou=people,dc=example,dc=com'))(account({ uid: 'svc-roster' }))).toBe(false);
    expect(bindAccountTest(target('CN=Svc Roster,OU=Service,DC=example,DC=test', 'sAMAccountName'))(account({ sAMAccountName: 'svc1', cn: 'svc roster' }))).toBe(true);
    expect(bindAccountTest(target('CN=Svc Roster,OU=Service,DC=example,DC=test', 'sAMAccountName'))(account({ sAMAccountName: 'svc1', sn: 'svc roster' }))).toBe(false);
    // The key as users.key names it (the target's accountKey is the Roster name).
    expect(bindAccountTest(target('uid=svc,dc=example,dc=com', 'username', 'uid'))(account({ username: 'svc' }))).toBe(true);
  });

  it('is the entry whose key is the name of a UPN or DOMAIN\\user bind, or that holds the whole bind name', () => {
    expect(bindAccountTest(target('svc-roster@example.test', 'sAMAccountName'))(account({ sAMAccountName: 'SVC-Roster' }))).toBe(true);
    expect(bindAccountTest(target('EXAMPLE\\svc-roster', 'sAMAccountName'))(account({ sAMAccountName: 'svc-roster' }))).toBe(true);
    expect(bindAccountTest(target('svc@example.test', 'sAMAccountName'))(account({ sAMAccountName: 'x', userPrincipalName: 'SVC@example.test' }))).toBe(true);
    expect(bindAccountTest(target('svc@example.test', 'sAMAccountName'))(account({ sAMAccountName: 'svc2' }))).toBe(false);
  });

  it('is nobody without a bind name, or with one that is not a DN', () => {
    expect(bindAccountTest(target(undefined))(account({ uid: 'svc' }))).toBe(false);
    expect(bindAccountTest(target('uid=a\\,b=c'))(account({ uid: 'x' }))).toBe(false);
  });
});
