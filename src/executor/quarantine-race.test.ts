import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import type { Store } from '../store/types.js';
import { QuarantineKeeper } from './quarantine.js';

/** A state whose reads answer only when let go, and whose updates apply at once. */
function slowReadStore() {
  const values = new Map<string, unknown>();
  const waiting: (() => void)[] = [];
  const store = {
    state: {
      // The value as it was when the read began (a snapshot), delivered later.
      get: (key: string) => {
        const value = values.get(key);
        return new Promise((resolve) => waiting.push(() => resolve(value)));
      },
      update: async (key: string, fn: (current: unknown) => unknown) => {
        const next = fn(values.get(key));
        if (next === undefined) values.delete(key);
        else values.set(key, next);
        return next;
      },
    },
    audit: { append: async () => undefined },
  };
  return { store: store as unknown as Store, letGo: () => waiting.splice(0).forEach((go) => go()) };
}

describe('a hold set while a claim reads the quarantine flags', () => {
  it('is not undone by the older read: the target stays held and out of the active set', async () => {
    const { store, letGo } = slowReadStore();
    const keeper = new QuarantineKeeper(store, silentLogger, 'executor:w1');
    const reading = keeper.active(['app']);
    // The read began before the hold: it will answer "not in quarantine".
    await keeper.hold('app', 'ops', 'stop', new Date('2026-11-28T10:00:00Z'));
    expect(keeper.heldNow('app')).toBe(true);
    letGo();
    const active = await reading;
    expect(active.has('app')).toBe(false);
    expect(keeper.heldNow('app')).toBe(true);
    // A read that begins after the hold sees it; after a release the target is active again.
    await keeper.release('app', 'ops');
    const later = keeper.active(['app']);
    letGo();
    expect((await later).has('app')).toBe(true);
  });
});
