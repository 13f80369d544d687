import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { createScimRegistry } from '../../scim/resource/index.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/types.js';
import { FilterCache } from './filter-cache.js';

describe('FilterCache', () => {
  const registry = createScimRegistry([]);
  const users = registry.resourceType('User')!;
  const groups = registry.resourceType('Group')!;
  let store: Store;
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('translates a filter once per resource type and text, and hands the same translation out again', () => {
    const cache = new FilterCache(store);
    const first = cache.translated(users, 'userName eq "ada@example.com"');
    expect(first.params).toEqual(['ada@example.com']);
    expect(cache.translated(users, 'userName eq "ada@example.com"')).toBe(first);
    // Same text, other type: its own translation (Groups have no userName column).
    const onGroups = cache.translated(groups, 'displayName eq "Ops"');
    expect(cache.translated(users, 'displayName eq "Ops"')).not.toBe(onGroups);
    expect(cache.size).toBe(3);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const cache = new FilterCache(store, 2);
    const a = cache.translated(users, 'userName eq "a"');
    const b = cache.translated(users, 'userName eq "b"');
    expect(cache.translated(users, 'userName eq "a"')).toBe(a); // a is now the most recent
    cache.translated(users, 'userName eq "c"'); // drops b
    expect(cache.size).toBe(2);
    expect(cache.translated(users, 'userName eq "a"')).toBe(a);
    expect(cache.translated(users, 'userName eq "b"')).not.toBe(b);
  });

  it('throws a refused filter every time and keeps none of them', () => {
    const cache = new FilterCache(store);
    for (let i = 0; i < 2; i += 1) {
      let thrown: unknown;
      try {
        cache.translated(users, 'userName eq');
      } catch (error) {
        thrown = error;
      }
      expect(isRosterError(thrown, 'request.invalid')).toBe(true);
    }
    expect(cache.size).toBe(0);
  });
});
