import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import type { Store } from '../store/types.js';
import { failuresKey, QuarantineKeeper } from './quarantine.js';

/**
 * Review 22: a claim's read of the stored failure count (active()) that
 * began while this process's own reset was being written, and returned the
 * count from before it, overwrote what the process knew: the next success
 * wrote the reset a second time (quarantine-count.review14 failed about one
 * run in twenty on PostgreSQL under load). A read begun while a count write
 * of this process is under way is not taken.
 */
describe('review 22: a count read begun during this process\'s own write is not taken', () => {
  it('a success, a claim reading the old count meanwhile, another success: one reset written, not two', async () => {
    const state = new Map<string, unknown>();
    let writes = 0;
    let releaseWrite: (() => void) | undefined;
    const store = {
      state: {
        get: async (key: string) => state.get(key),
        update: async (key: string, change: (current: unknown) => unknown) => {
          writes += 1;
          const next = change(state.get(key));
          await new Promise<void>((resolve) => { releaseWrite = resolve; });
          state.set(key, next);
          return next;
        },
      },
    } as unknown as Store;
    const keeper = new QuarantineKeeper(store, silentLogger, 'test', () => new Date('2026-03-01T09:00:00Z'));
    state.set(failuresKey('app'), { count: 1, changes: {} });
    await keeper.active(['app']); // the process knows the count: 1

    const first = keeper.succeeded('app'); // its reset is under way
    await Promise.resolve();
    await keeper.active(['app']); // a claim reads the store before the reset landed: count 1
    releaseWrite?.();
    await first;
    expect((state.get(failuresKey('app')) as { count?: number } | undefined)?.count ?? 0).toBe(0);

    await keeper.succeeded('app'); // the count is 0: nothing to write
    expect(writes).toBe(1);
  });
});
