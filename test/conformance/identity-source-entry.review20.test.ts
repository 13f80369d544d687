import { describe, expect, it } from 'vitest';
import { identity } from '../../src/store/testing/builders.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/**
 * Identity.sourceEntry (migration 0016): the directory entry an identity was
 * read from, kept so a key respelled in letter case is the person only from
 * that entry (lifecycle/respelled.ts). Absent for other sources.
 */
describe.each(storeBackEnds('roster-source-entry'))('identity source entry (review 20): $name', (backEnd) => {
  const { store, opened } = useOpenedStore(backEnd);

  it('round-trips through every read, absent when none, replaced and cleared by an upsert', async () => {
    const ada = identity('E7', { sourceId: 'corp', sourceEntry: 'a1b2c3d4-0000-4000-8000-00000000000a' });
    const alan = identity('E2', { sourceId: 'hr' });
    await store().identities.upsertMany([ada, alan]);
    expect(await store().identities.get('E7')).toEqual(ada);
    expect(await store().identities.get('E2')).toEqual(alan);
    expect(await store().identities.getMany(['E7', 'E2'])).toEqual(expect.arrayContaining([ada, alan]));
    expect(await store().identities.list()).toEqual([alan, ada]);
    const other = await opened().second();
    expect(await other.identities.list({ sourceId: 'corp' })).toEqual([ada]);

    const moved = { ...ada, sourceEntry: 'a1b2c3d4-0000-4000-8000-00000000000b', version: 2 };
    await store().identities.upsertMany([moved]);
    expect(await other.identities.get('E7')).toEqual(moved);
    const { sourceEntry: _dropped, ...without } = moved;
    await store().identities.upsertMany([{ ...without, version: 3 }]);
    expect(await other.identities.get('E7')).toEqual({ ...without, version: 3 });
  });
});
