import { describe, expect, it } from 'vitest';
import type { IdentityKey } from '../../src/core/types.js';
import { identity } from '../../src/store/testing/builders.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

const T = '2026-09-02T09:00:00.000Z';
const key = (k: string, identityId: string, current: boolean, sourceId = 'hr'): IdentityKey => ({ key: k, identityId, sourceId, current, recordedAt: T });

/** IdentityStore.listKeys and upsertMany's keys: a person continued under a new key (fields.previousKey, lifecycle/continued.ts). */
describe.each(storeBackEnds('roster-keys'))('identity keys: $name', (backEnd) => {
  const { store } = useOpenedStore(backEnd);

  it('writes key rows with the identities, in one write, and lists them by key, by source and by identity', async () => {
    const before = await store().state.serial();
    await store().identities.upsertMany([identity('E100'), identity('X1', { sourceId: 'ad' })], [key('E200', 'E100', true), key('E100', 'E100', false), key('AX', 'X1', true, 'ad')]);
    expect(await store().state.serial()).toBe(before + 1);
    expect(await store().identities.listKeys({ keys: ['E200', 'nobody', 'E200'] })).toEqual([key('E200', 'E100', true)]);
    expect(await store().identities.listKeys({ sourceId: 'hr' })).toEqual([key('E100', 'E100', false), key('E200', 'E100', true)]);
    expect(await store().identities.listKeys({ identityIds: ['X1'] })).toEqual([key('AX', 'X1', true, 'ad')]);
    expect(await store().identities.listKeys({ keys: [] })).toEqual([]);
  });

  it('a second continuation replaces the row of the same key (the current key becomes a former one)', async () => {
    await store().identities.upsertMany([identity('E100')], [key('E200', 'E100', true), key('E100', 'E100', false)]);
    await store().identities.upsertMany([identity('E100', { version: 2 })], [key('E300', 'E100', true), key('E200', 'E100', false), key('E100', 'E100', false)]);
    const rows = await store().identities.listKeys({ identityIds: ['E100'] });
    expect(rows.map((k) => [k.key, k.current])).toEqual([['E100', false], ['E200', false], ['E300', true]]);
  });
});
