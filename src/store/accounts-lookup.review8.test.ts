import { describe, expect, it } from 'vitest';
import { storeBackEnds } from '../../test/support/store-backends.js';
import type { LinkedAccount } from '../core/types.js';

const at = '2030-01-01T00:00:00.000Z';
const link = (target: string, identityId: string, accountId: string): LinkedAccount => ({
  target, identityId, accountId, attributes: { username: accountId }, entitlements: [], enabled: true, createdAt: at, updatedAt: at,
});

/**
 * The two reads the safety limits and orphan actions take on current links:
 * a target's link count (planning's base for maxDeletes / maxDisables) and
 * the link holding an account (an orphan re-checked before it is acted on),
 * both seeing what another connection wrote.
 */
describe.each(storeBackEnds('accounts-lookup'))('AccountStore.count and getByAccountId ($name)', (backEnd) => {
  it('count a target\'s links and find one by account id, as another connection writes them', async () => {
    const opened = await backEnd.open();
    try {
      const { store } = opened;
      const other = await opened.second();
      expect(await store.accounts.count('app')).toBe(0);
      await other.accounts.upsertMany([link('app', 'E1', 'u1'), link('app', 'E2', 'u2'), link('crm', 'E1', 'u2')]);
      expect(await store.accounts.count('app')).toBe(2);
      expect(await store.accounts.count('crm')).toBe(1);
      expect(await store.accounts.getByAccountId('app', 'u2')).toMatchObject({ identityId: 'E2', target: 'app' });
      expect(await store.accounts.getByAccountId('crm', 'u2')).toMatchObject({ identityId: 'E1', target: 'crm' });
      expect(await store.accounts.getByAccountId('app', 'u3')).toBeUndefined();
      await other.accounts.remove('app', 'E2');
      expect(await store.accounts.count('app')).toBe(1);
      expect(await store.accounts.getByAccountId('app', 'u2')).toBeUndefined();
    } finally {
      await opened.close();
    }
  });
});
