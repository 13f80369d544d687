import { describe, expect, it } from 'vitest';
import { identity } from '../../src/store/testing/builders.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

/** IdentityStore.listIds: a source's ids only, in id order (respelled keys are folded from them, engine/respelled-keys.ts). */
describe.each(storeBackEnds('roster-ids'))('identity ids of a source: $name', (backEnd) => {
  const { store } = useOpenedStore(backEnd);

  it('lists the ids of one source, in id order, and none of another', async () => {
    await store().identities.upsertMany([
      identity('E2', { sourceId: 'hr' }), identity('e1', { sourceId: 'hr' }), identity('E1', { sourceId: 'hr' }), identity('X1', { sourceId: 'ad' }),
    ]);
    const ids = await store().identities.listIds({ sourceId: 'hr' });
    expect([...ids].sort()).toEqual(['E1', 'E2', 'e1']);
    expect(ids).toHaveLength(3);
    expect(await store().identities.listIds({ sourceId: 'ad' })).toEqual(['X1']);
    expect(await store().identities.listIds({ sourceId: 'none' })).toEqual([]);
  });
});
