import { describe, expect, it } from 'vitest';
import type { TargetAccount } from '../core/types.js';
import { newLink } from './link.js';

const AT = '2026-11-27T09:00:00.000Z';
const MANAGER_DN = 'CN=Ada Lovelace,OU=Users,DC=example,DC=com';
const MANAGER_REF = '<GUID=0f8fad5b-d9cb-469f-a165-70867728950e>';

describe('newLink', () => {
  it('keeps a reference in the object-id form the target gives, the other attributes as read', () => {
    const account: TargetAccount = {
      accountId: 'g1', attributes: { sAMAccountName: 'grace', manager: MANAGER_DN }, entitlements: ['Staff'], enabled: true,
      references: { manager: MANAGER_REF },
    };
    const link = newLink('ad', 'E2', account, AT);
    expect(link.attributes).toEqual({ sAMAccountName: 'grace', manager: MANAGER_REF });
    expect(link).toMatchObject({ target: 'ad', identityId: 'E2', accountId: 'g1', entitlements: ['Staff'], enabled: true, createdAt: AT });
  });

  it('keeps the attributes as read when the target gives no references', () => {
    const account: TargetAccount = { accountId: 'g1', attributes: { uid: 'grace', manager: MANAGER_DN }, entitlements: [], enabled: false };
    const link = newLink('ldap', 'E2', account, AT);
    expect(link.attributes).toEqual({ uid: 'grace', manager: MANAGER_DN });
    expect(link.disabledAt).toBe(AT);
  });
});
