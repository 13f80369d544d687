import { describe, expect, it } from 'vitest';
import { storeBackEnds } from '../../test/support/store-backends.js';
import type { LinkedAccount } from '../core/types.js';

const at = '2030-01-01T00:00:00.000Z';
const link = (target: string, identityId: string, accountId: string, extra: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target, identityId, accountId, attributes: { username: accountId, mail: [`${accountId}@example.com`] }, entitlements: ['g1'], enabled: true,
  createdAt: at, updatedAt: at, ...extra,
});

/**
 * The reads a reconcile pass takes of a big target: every link of the target
 * (listByTarget, raw rows on SQLite), and, after it wrote its links, the
 * links of its orphans' accounts only (listByAccountIds), both seeing what
 * another connection wrote.
 */
describe.each(storeBackEnds('accounts-by-account'))('AccountStore.listByTarget and listByAccountIds ($name)', (backEnd) => {
  it('lists a target\'s links whole, in identity order, and finds the links of given accounts in one read', async () => {
    const opened = await backEnd.open();
    try {
      const { store } = opened;
      const other = await opened.second();
      expect(await store.accounts.listByAccountIds('app', ['u1'])).toEqual([]);
      const disabled = link('app', 'E3', 'u3', { enabled: false, disabledAt: at, outOfScopeSince: at });
      await other.accounts.upsertMany([link('app', 'E2', 'u2'), link('app', 'E1', 'u1'), disabled, link('crm', 'E1', 'u2')]);
      expect(await store.accounts.listByTarget('app')).toEqual([link('app', 'E1', 'u1'), link('app', 'E2', 'u2'), disabled]);
      expect(await store.accounts.listByTarget('none')).toEqual([]);
      const found = await store.accounts.listByAccountIds('app', ['u3', 'u2', 'u2', 'gone']);
      expect(found.sort((a, b) => a.identityId.localeCompare(b.identityId))).toEqual([link('app', 'E2', 'u2'), disabled]);
      expect(await store.accounts.listByAccountIds('crm', ['u1', 'u2'])).toEqual([link('crm', 'E1', 'u2')]);
      expect(await store.accounts.listByAccountIds('app', [])).toEqual([]);
      await other.accounts.remove('app', 'E2');
      expect(await store.accounts.listByAccountIds('app', ['u2'])).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
