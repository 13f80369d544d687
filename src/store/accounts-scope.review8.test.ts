import { describe, expect, it } from 'vitest';
import { storeBackEnds } from '../../test/support/store-backends.js';
import type { LinkedAccount } from '../core/types.js';

const at = '2030-01-01T00:00:00.000Z';
const left = '2030-02-01T00:00:00.000Z';
const link = (identityId: string, extra: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId, accountId: identityId.toLowerCase(), attributes: {}, entitlements: [], enabled: false, createdAt: at, updatedAt: at, disabledAt: at, ...extra,
});

/**
 * LinkedAccount.outOfScopeSince (when the account's person left the target's
 * scope) is kept by every read: one link, many, by target, by identity, the
 * whole list (SQLite's raw read, and the read cache filled by a write), and
 * cleared by a write without it.
 */
describe.each(storeBackEnds('accounts-scope'))('AccountStore keeps outOfScopeSince ($name)', (backEnd) => {
  it('writes, reads and clears it', async () => {
    const opened = await backEnd.open();
    try {
      const { store } = opened;
      const other = await opened.second();
      await store.accounts.upsertMany([link('E1', { outOfScopeSince: left }), link('E2')]);
      expect(await store.accounts.get('app', 'E1')).toEqual(link('E1', { outOfScopeSince: left }));
      expect(await store.accounts.get('app', 'E2')).toEqual(link('E2'));
      expect((await store.accounts.getMany([{ target: 'app', identityId: 'E1' }]))[0]?.outOfScopeSince).toBe(left);
      expect((await store.accounts.listByTarget('app')).map((l) => l.outOfScopeSince)).toEqual([left, undefined]);
      expect((await store.accounts.listByIdentity('E1'))[0]?.outOfScopeSince).toBe(left);
      expect(await store.accounts.getByAccountId('app', 'e1')).toEqual(link('E1', { outOfScopeSince: left }));
      // The whole list read from the rows, then from the read cache, then by another connection.
      expect(await store.accounts.listAll()).toEqual([link('E1', { outOfScopeSince: left }), link('E2')]);
      expect(await store.accounts.listAll()).toEqual([link('E1', { outOfScopeSince: left }), link('E2')]);
      expect(await other.accounts.listAll()).toEqual([link('E1', { outOfScopeSince: left }), link('E2')]);

      // Cleared (back in scope) by a write without it, set on another by a single upsert.
      await store.accounts.upsert(link('E1'));
      await store.accounts.upsert(link('E2', { outOfScopeSince: left }));
      expect(await store.accounts.listAll()).toEqual([link('E1'), link('E2', { outOfScopeSince: left })]);
      expect(await other.accounts.listAll()).toEqual([link('E1'), link('E2', { outOfScopeSince: left })]);
      expect(await other.accounts.get('app', 'E1')).toEqual(link('E1'));
    } finally {
      await opened.close();
    }
  });

  it('lists as grace candidates only the links disabled or marked out of scope', async () => {
    const opened = await backEnd.open();
    try {
      const { store } = opened;
      await store.accounts.upsertMany([
        link('E1', { enabled: true, disabledAt: undefined }),
        link('E2'),
        link('E3', { enabled: true, disabledAt: undefined, outOfScopeSince: left }),
        link('E4', { enabled: true, disabledAt: undefined }),
      ]);
      expect((await store.accounts.listGraceCandidates('app')).map((l) => l.identityId)).toEqual(['E2', 'E3']);
      expect(await store.accounts.listGraceCandidates('other')).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
