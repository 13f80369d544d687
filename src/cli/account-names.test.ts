import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Change, Plan } from '../core/types.js';
import { account } from '../store/testing/builders.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { accountNames } from './account-references.js';
import { describeChange } from './plan-format.js';

/**
 * A disable in a directory read `disable corp-ldap T1 1490f624-… enabled: true → false`:
 * the entryUUID, where a person reading the plan knows the account by its uid.
 * Enables, disables and deletes now name the account by its key, from its link.
 */
const UUID = '1490f624-7f48-1041-8f08-a1aa30e87494';
const change = (action: 'enable' | 'disable' | 'delete', accountId: string, target = 'corp-ldap'): Change => ({
  id: `${target}:E1:${action}`, identity: 'E1', target, action, reasons: ['leaver'],
  before: { accountId, enabled: action !== 'enable' }, after: action === 'delete' ? undefined : { accountId, enabled: action === 'enable' },
} as Change);
const planOf = (changes: Change[]): Plan => ({ id: 'p', createdAt: '2026-11-27T00:00:00Z', basis: 1, changes, summary: {}, held: false, holds: [], diagnostics: [] });

describe('plans name the accounts they enable, disable and delete', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    await store.accounts.upsert(account('corp-ldap', 'E1', { accountId: UUID, attributes: { uid: 'jsmith', cn: 'John Smith' } }));
  });
  afterEach(async () => {
    await store.close();
  });

  it('shows the account key for the id, and the id where no link names it', async () => {
    const changes = [change('disable', UUID), change('enable', UUID), change('delete', UUID), change('disable', 'unlinked-id')];
    const names = await accountNames(store, planOf(changes), new Map([['corp-ldap', 'uid']]));
    expect(changes.map((c) => describeChange(c, undefined, names))).toEqual([
      'jsmith enabled: true → false', 'jsmith enabled: false → true', 'account jsmith', 'unlinked-id enabled: true → false',
    ]);
  });

  it('a delete that follows a queued create (no account id yet) says so instead of "account ?"', () => {
    const following: Change = { id: 'corp-ldap:E1:delete', identity: 'E1', target: 'corp-ldap', action: 'delete', reasons: ['leaver.terminated', 'queued.superseded'], before: { enabled: true, attributes: { uid: 'jsmith' } }, after: null };
    expect(describeChange(following)).toBe('the account a queued create makes');
    expect(describeChange({ ...following, reasons: ['leaver.terminated'] })).toBe('account ?');
  });

  it('reads one listing for many accounts of a target, and names nothing in a target with another key or none', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `id-${i}`);
    for (const [i, id] of many.entries()) await store.accounts.upsert(account('corp-ldap', `P${i}`, { accountId: id, attributes: { uid: `u${i}` } }));
    const names = await accountNames(store, planOf([...many.map((id) => change('disable', id)), change('disable', UUID, 'app')]), new Map([['corp-ldap', 'uid']]));
    expect(names('corp-ldap', 'id-149')).toBe('u149');
    expect(names('corp-ldap', UUID)).toBeUndefined();
    expect(names('app', UUID)).toBeUndefined();
  });
});
