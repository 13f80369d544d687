import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations.js';
import { queryPlan, storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * Links by the target's account id reach the index of migration 0011, not
 * every link of the target: an orphan's disable or delete asks this once
 * per change (is the account someone's now?), reconcile asks it for its
 * orphans, a plan for the accounts its references name. 20,000 links of one
 * target make a scan visible.
 */
describe.each(storeBackEnds('roster-account-id'))('links by account id: $name', (backEnd) => {
  const t = useOpenedStore(backEnd);

  const LINKS_SQL = sql`
    with recursive c(i) as (select 1 union all select i + 1 from c where i < 20000)
    insert into roster_accounts (target, identity_id, account_id, attributes, entitlements, enabled, created_at, updated_at)
    select 'ldap', 'E' || i, 'uuid-' || i, '{}', '[]', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' from c`;

  it('getByAccountId and listByAccountIds find the link through roster_accounts_account; 0011 runs again harmlessly', async () => {
    const opened = t.opened();
    const { store, db } = opened;
    await sql`${LINKS_SQL}`.execute(db);
    if (store.dialect === 'postgres') await sql`analyze roster_accounts`.execute(db);
    expect(await store.accounts.getByAccountId('ldap', 'uuid-777')).toMatchObject({ identityId: 'E777' });
    expect((await store.accounts.listByAccountIds('ldap', ['uuid-5', 'uuid-19999', 'nobody'])).map((l) => l.identityId).sort()).toEqual(['E19999', 'E5']);

    const one = db.selectFrom('roster_accounts').selectAll().where('target', '=', 'ldap').where('account_id', '=', 'uuid-777');
    // As the store writes a list (context.ts inList): json_each on SQLite, = any(array) on PostgreSQL.
    const ids = ['uuid-5', 'uuid-19999'];
    const list = store.dialect === 'sqlite'
      ? sql<boolean>`account_id in (select value from json_each(${JSON.stringify(ids)}))`
      : sql<boolean>`account_id = any(${ids}::text[])`;
    const some = db.selectFrom('roster_accounts').selectAll().where('target', '=', 'ldap').where(list);
    for (const query of [one, some]) expect(await queryPlan(opened, query)).toMatch(/roster_accounts_account/);

    await migrations(store.dialect)['0011_account_id_index']!.up(db);
    expect(await store.accounts.getByAccountId('ldap', 'uuid-19999')).toMatchObject({ identityId: 'E19999' });
  });
});
