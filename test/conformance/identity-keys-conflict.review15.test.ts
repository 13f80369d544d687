import { describe, expect, it } from 'vitest';
import type { IdentityKey } from '../../src/core/types.js';
import { identity } from '../../src/store/testing/builders.js';
import { storeBackEnds, useOpenedStore } from '../support/store-backends.js';

const T = '2026-09-02T09:00:00.000Z';
const key = (k: string, identityId: string, current: boolean): IdentityKey => ({ key: k, identityId, sourceId: 'hr', current, recordedAt: T });

/**
 * Two writers (two nodes taking pushes) each read E100 terminated with no key
 * rows and each continue it: the second write must not give the identity a
 * second current key (two people merged into one), nor move a key to another
 * identity (the first person left with no key). Refused, nothing written (review15).
 */
describe.each(storeBackEnds('roster-keys-conflict'))('identity keys written by two writers: $name', (backEnd) => {
  const { opened, store } = useOpenedStore(backEnd);

  it('a second current key for an identity continued meanwhile is refused, and so is a key that names another identity already', async () => {
    const other = await opened().second();
    await store().identities.upsertMany([identity('E100'), identity('E101')], []);
    await store().identities.upsertMany([identity('E100', { version: 2 })], [key('E200', 'E100', true), key('E100', 'E100', false)]);
    const serial = await store().state.serial();

    const twice = other.identities.upsertMany([identity('E100', { version: 2, attributes: { givenName: 'Eve' } })], [key('E201', 'E100', true), key('E100', 'E100', false)]);
    await expect(twice).rejects.toMatchObject({ code: 'store.conflict', retryable: true, message: expect.stringMatching(/identity key E200 is the current key of identity E100/) });
    const moved = other.identities.upsertMany([identity('E101', { version: 2 })], [key('E200', 'E101', true), key('E101', 'E101', false)]);
    await expect(moved).rejects.toMatchObject({ code: 'store.conflict', message: expect.stringMatching(/identity key E200 names identity E100 already/) });

    expect(await store().state.serial()).toBe(serial); // nothing written, the identities neither
    expect((await store().identities.get('E100'))?.attributes).not.toMatchObject({ givenName: 'Eve' });
    expect((await store().identities.listKeys({ sourceId: 'hr' })).map((k) => [k.key, k.identityId, k.current])).toEqual([['E100', 'E100', false], ['E200', 'E100', true]]);
    // A next continuation that names the current key (a second rehire) is no conflict.
    await other.identities.upsertMany([identity('E100', { version: 3 })], [key('E300', 'E100', true), key('E200', 'E100', false), key('E100', 'E100', false)]);
    expect((await store().identities.listKeys({ identityIds: ['E100'] })).filter((k) => k.current).map((k) => k.key)).toEqual(['E300']);
  });
});
