import { describe, expect, it } from 'vitest';
import type { LinkedAccount } from '../../src/core/types.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/** LinkedAccount.placement (0017_account_placement) is kept, read back by every read path, and cleared by a write without it. */
describe.each(storeBackEnds('roster-placement'))('a link\'s placement drift: $name', (backEnd) => {
  const t = useOpenedStore(backEnd);
  const link: LinkedAccount = {
    target: 'ldap', identityId: 'E1', accountId: 'uuid-1', attributes: { uid: 'ann' }, entitlements: [], enabled: true,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    placement: { at: 'uid=ann,ou=Elsewhere,dc=x', belongs: 'uid=ann,ou=people,dc=x', byState: true },
  };

  it('round-trips and clears', async () => {
    const { store } = t.opened();
    await store.accounts.upsertMany([link]);
    expect((await store.accounts.get('ldap', 'E1'))?.placement).toEqual(link.placement);
    expect((await store.accounts.listByTarget('ldap'))[0]?.placement).toEqual(link.placement);
    expect((await store.accounts.getByAccountId('ldap', 'uuid-1'))?.placement).toEqual(link.placement);
    const { placement: _, ...placed } = link;
    await store.accounts.upsertMany([placed]);
    expect((await store.accounts.get('ldap', 'E1'))?.placement).toBeUndefined();
    expect((await store.accounts.listByTarget('ldap'))[0]?.placement).toBeUndefined();
    const other = await t.opened().second();
    expect((await other.accounts.listByTarget('ldap'))[0]).not.toHaveProperty('placement');
  });
});
