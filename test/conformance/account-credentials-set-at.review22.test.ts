import { afterAll, describe, expect, it } from 'vitest';
import type { Identity, LinkedAccount } from '../../src/core/types.js';
import { credentialsPredateEmployment } from '../../src/policy/rehire-credentials.js';
import { postgresBackend, sqliteBackend, type SqlBackend } from '../../src/store/testing/sql-backends.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

const link: LinkedAccount = {
  target: 'corp-ad', identityId: 'E1', accountId: 'guid-1', attributes: { sAMAccountName: 'ann' }, entitlements: [], enabled: true,
  createdAt: '2020-01-01T00:00:00.000Z', updatedAt: '2026-03-20T09:05:00.000Z', credentialsSetAt: '2026-03-20T09:05:00.000Z',
};

/** LinkedAccount.credentialsSetAt (0019_account_credentials_set_at) is kept, read back by every read path, and cleared by a write without it. */
describe.each(storeBackEnds('roster-credentials-set-at'))('review 22: a link\'s credentialsSetAt: $name', (backEnd) => {
  const t = useOpenedStore(backEnd);

  it('round-trips and clears', async () => {
    const { store } = t.opened();
    await store.accounts.upsertMany([link]);
    expect((await store.accounts.get('corp-ad', 'E1'))?.credentialsSetAt).toBe(link.credentialsSetAt);
    expect((await store.accounts.listByTarget('corp-ad'))[0]?.credentialsSetAt).toBe(link.credentialsSetAt);
    expect((await store.accounts.listAll())[0]?.credentialsSetAt).toBe(link.credentialsSetAt);
    expect((await store.accounts.getMany([{ target: 'corp-ad', identityId: 'E1' }]))[0]?.credentialsSetAt).toBe(link.credentialsSetAt);
    expect((await store.accounts.getByAccountId('corp-ad', 'guid-1'))?.credentialsSetAt).toBe(link.credentialsSetAt);
    const other = await t.opened().second();
    expect((await other.accounts.get('corp-ad', 'E1'))?.credentialsSetAt).toBe(link.credentialsSetAt);
    const { credentialsSetAt: _, ...adopted } = link;
    await store.accounts.upsertMany([adopted]);
    expect(await store.accounts.get('corp-ad', 'E1')).not.toHaveProperty('credentialsSetAt');
    expect((await other.accounts.listByTarget('corp-ad'))[0]).not.toHaveProperty('credentialsSetAt');
  });
});

/**
 * An upgrade resets nobody: links stored before 0019 get the upgrade's time,
 * so a rehire recorded (and served by its enable) before the upgrade is not
 * read as newer than the account's credentials. Without the backfill, the
 * link's createdAt (2020) would stand for them and every rehire ever
 * recorded would get a reset after the upgrade.
 */
describe.each([['sqlite'], ['postgres']])('review 22: migration 0019 on a store with links (%s)', (kind) => {
  const made: SqlBackend[] = [];
  afterAll(async () => {
    for (const b of made) await b.cleanup();
  });

  it('gives every stored link the upgrade\'s time; a rehire served before it resets nothing', async () => {
    const b = kind === 'sqlite' ? sqliteBackend('roster-0019') : await postgresBackend('roster_0019');
    made.push(b);
    let store = await b.open();
    const { credentialsSetAt: _, ...old } = link;
    try {
      await store.accounts.upsertMany([old, { ...old, identityId: 'E2', accountId: 'guid-2', enabled: false, disabledAt: '2026-03-01T00:00:00.000Z' }]);
    } finally {
      await store.close();
    }
    await b.exec(['alter table roster_accounts drop column credentials_set_at', "delete from kysely_migration where name >= '0019_account_credentials_set_at'"]);
    const before = Date.now();
    store = await b.open();
    try {
      const links = await store.accounts.listAll();
      expect(links).toHaveLength(2);
      for (const l of links) {
        expect(l.credentialsSetAt).toBeDefined();
        expect(Date.parse(l.credentialsSetAt!)).toBeGreaterThanOrEqual(before - 1000);
        expect(Date.parse(l.credentialsSetAt!)).toBeLessThanOrEqual(Date.now());
      }
      // Rehired (and enabled again with a new password) a week before the upgrade: no reset after it.
      const rehired = { id: 'E1', rehiredAt: new Date(before - 7 * 86_400_000).toISOString() } as Identity;
      expect(credentialsPredateEmployment(rehired, links.find((l) => l.identityId === 'E1')!)).toBe(false);
      // What the same link would have said with no backfill (read as its createdAt): a reset.
      expect(credentialsPredateEmployment(rehired, old)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
