import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../src/core/types.js';
import { identity } from '../../src/store/testing/builders.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

const person = (id: string, attributes: Record<string, unknown>, sourceId = 'hr'): Identity =>
  identity(id, { sourceId, attributes: { givenName: id, ...attributes } });

/** IdentityStore.listReports: who names one of these managers, per source's manager field (engine/outside-reports.ts). */
describe.each(storeBackEnds('roster-reports'))('identity reports: $name', (backEnd) => {
  const { store, opened } = useOpenedStore(backEnd);

  const world = [
    person('E1', { managerId: 'M1' }),
    person('E2', { managerId: 'M2' }),
    person('E3', { managerId: 'M1', 'mgr.id': 'M9' }),
    person('E4', { managerId: 7 }), // a number is no name
    person('E5', {}),
    person('A1', { boss: 'M1', managerId: 'M2' }, 'ad'),
    person('Q1', { 'odd "key"\\': 'M1' }, 'quoted'),
    person('E6', { managerId: 'Zoë "Q" \\ 李\n' }), // found through its JSON text as toJson writes it
  ];
  const fields = new Map([['hr', 'managerId'], ['ad', 'boss'], ['quoted', 'odd "key"\\']]);
  const ids = (found: readonly { readonly id: string }[]) => found.map((i) => i.id);

  it('finds the reports through each source\'s own field, in id order, from the database and from the read cache alike', async () => {
    await store().identities.upsertMany(world);
    for (const pass of ['read', 'cached'] as const) {
      if (pass === 'cached') await store().identities.list(); // fills the read cache
      expect(ids(await store().identities.listReports({ managers: ['M1'], fields })), pass).toEqual(['A1', 'E1', 'E3', 'Q1']);
      expect(ids(await store().identities.listReports({ managers: ['M2', 'M1', 'M2'], fields: new Map([['hr', 'managerId']]) })), pass).toEqual(['E1', 'E2', 'E3']);
      expect(ids(await store().identities.listReports({ managers: ['7', 'M9', 'nobody'], fields })), pass).toEqual([]);
      expect(ids(await store().identities.listReports({ managers: ['M9'], fields: new Map([['hr', 'mgr.id']]) })), pass).toEqual(['E3']);
      expect(await store().identities.listReports({ managers: [], fields }), pass).toEqual([]);
      expect(ids(await store().identities.listReports({ managers: ['Zoë "Q" \\ 李\n'], fields })), pass).toEqual(['E6']);
      // More names than the text search takes: every row's field is compared.
      expect(ids(await store().identities.listReports({ managers: [...Array.from({ length: 100 }, (_, n) => `X${n}`), 'M1'], fields })), pass).toEqual(['A1', 'E1', 'E3', 'Q1']);
    }
    // A row changed behind the store's back (no serial moved): the cache answers, so it is not seen; the database would.
    await sql`update roster_identities set attributes = ${JSON.stringify({ managerId: 'M1' })} where id = 'E5'`.execute(opened().db);
    expect(ids(await store().identities.listReports({ managers: ['M1'], fields }))).toEqual(['A1', 'E1', 'E3', 'Q1']);
  });

  it('reads the database when the cache holds nobody', async () => {
    await store().identities.upsertMany(world);
    await sql`update roster_identities set attributes = ${JSON.stringify({ managerId: 'M1' })} where id = 'E5'`.execute(opened().db);
    expect(ids(await store().identities.listReports({ managers: ['M1'], fields: new Map([['hr', 'managerId']]) }))).toEqual(['E1', 'E3', 'E5']);
  });

  it('gives each report with its source and the name its manager field holds', async () => {
    await store().identities.upsertMany(world);
    for (const pass of ['read', 'cached'] as const) {
      if (pass === 'cached') await store().identities.list();
      expect(await store().identities.listReports({ managers: ['M2', 'M1'], fields: new Map([['ad', 'boss'], ['hr', 'managerId']]) }), pass).toEqual([
        { id: 'A1', sourceId: 'ad', manager: 'M1' }, { id: 'E1', sourceId: 'hr', manager: 'M1' }, { id: 'E2', sourceId: 'hr', manager: 'M2' }, { id: 'E3', sourceId: 'hr', manager: 'M1' },
      ]);
    }
  });
});
