import { describe, expect, it } from 'vitest';
import { RosterError } from '../core/errors.js';
import type { HeldValues } from '../policy/index.js';
import {
  LEARNED_CAP, LEARNED_TTL_MS, learnedKey, learnTaken, readLearned, takenValues, withLearned, withLearnedHeld, type LearnedValues,
} from './learned.js';

const NOW = new Date('2026-11-27T09:00:00.000Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

/** A state store in a Map, whose reads wait a turn (so concurrent writes would interleave without the queue). */
function memoryState() {
  const values = new Map<string, unknown>();
  return {
    values,
    async get<T>(key: string): Promise<T | undefined> {
      await new Promise((resolve) => setImmediate(resolve));
      return structuredClone(values.get(key)) as T | undefined;
    },
    async set(key: string, value: unknown): Promise<void> {
      values.set(key, structuredClone(value));
    },
    async update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
      const next = change(structuredClone(values.get(key)) as T | undefined);
      values.set(key, structuredClone(next));
      return next;
    },
  };
}

describe('values learnt from failed creates', () => {
  it('reads the taken values of an error, ignoring anything malformed', () => {
    const error = new RosterError('target.conflict', 'taken', {
      details: { taken: [{ attribute: 'sAMAccountName', value: 'john.smith' }, { attribute: '', value: 'x' }, { attribute: 'mail', value: ' ' }, 'junk', null] },
    });
    expect(takenValues(error)).toEqual([{ attribute: 'sAMAccountName', value: 'john.smith' }]);
    expect(takenValues(new RosterError('target.conflict', 'no details'))).toEqual([]);
    expect(takenValues(new RosterError('target.conflict', 'not a list', { details: { taken: { attribute: 'a', value: 'b' } } }))).toEqual([]);
  });

  it('adds a value once (a value learnt again moves to the end), drops expired ones', () => {
    const current: LearnedValues = {
      sAMAccountName: [{ value: 'old.name', at: ago(LEARNED_TTL_MS + 1) }, { value: 'John.Smith', at: ago(1000) }, { value: 'ada', at: ago(500) }],
      mail: [{ value: 'gone@example.com', at: ago(LEARNED_TTL_MS) }],
    };
    const next = withLearned(current, [{ attribute: 'sAMAccountName', value: 'john.smith' }], NOW);
    expect(next).toEqual({ sAMAccountName: [{ value: 'ada', at: ago(500) }, { value: 'john.smith', at: NOW.toISOString() }] });
  });

  it('keeps the newest LEARNED_CAP values of an attribute', () => {
    const full: LearnedValues = { uid: Array.from({ length: LEARNED_CAP }, (_, i) => ({ value: `u${i}`, at: ago(LEARNED_CAP - i) })) };
    const next = withLearned(full, [{ attribute: 'uid', value: 'newest' }], NOW);
    expect(next.uid).toHaveLength(LEARNED_CAP);
    expect(next.uid?.[0]?.value).toBe('u1');
    expect(next.uid?.at(-1)?.value).toBe('newest');
  });

  it('concurrent learns of one target all land', async () => {
    const state = memoryState();
    await Promise.all(['a', 'b', 'c', 'd'].map((value) => learnTaken(state, 'ad', [{ attribute: 'sAMAccountName', value }], NOW)));
    const stored = state.values.get(learnedKey('ad')) as LearnedValues;
    expect(stored.sAMAccountName?.map((e) => e.value).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a failed write rejects that learn only; the next one still runs', async () => {
    const state = memoryState();
    let fail = true;
    const flaky = { update: async <T>(key: string, change: (current: T | undefined) => T | undefined) => {
      if (fail) {
        fail = false;
        throw new Error('store down');
      }
      return state.update(key, change);
    } };
    const first = learnTaken(flaky, 'ad', [{ attribute: 'sAMAccountName', value: 'a' }], NOW);
    const second = learnTaken(flaky, 'ad', [{ attribute: 'sAMAccountName', value: 'b' }], NOW);
    await expect(first).rejects.toThrow('store down');
    await second;
    expect((state.values.get(learnedKey('ad')) as LearnedValues).sAMAccountName?.map((e) => e.value)).toEqual(['b']);
  });

  it('reads live values per target; an expired, missing or malformed key reads as nothing learnt', async () => {
    const state = memoryState();
    state.values.set(learnedKey('ad'), { sAMAccountName: [{ value: 'john.smith', at: ago(1000) }, { value: 'expired', at: ago(LEARNED_TTL_MS + 1) }] });
    state.values.set(learnedKey('old'), { uid: [{ value: 'expired', at: ago(LEARNED_TTL_MS + 1) }] });
    state.values.set(learnedKey('broken'), { uid: 'not a list', mail: [{ value: 1 }, { value: 'x', at: 'not a date' }] });
    state.values.set(learnedKey('junk'), 'junk');
    const learned = await readLearned(state, ['ad', 'old', 'broken', 'junk', 'none'], NOW);
    expect(learned).toEqual(new Map([['ad', { sAMAccountName: ['john.smith'] }]]));
  });

  it('merges into the memo held values per target and attribute', () => {
    const memo = new Map<string, HeldValues>([['ad', { sAMAccountName: ['orphan'] }], ['app', { username: ['x'] }]]);
    const learned = new Map<string, HeldValues>([['ad', { sAMAccountName: ['john.smith'], userPrincipalName: ['j@example.test'] }], ['scim', { userName: ['ada'] }]]);
    expect(withLearnedHeld(memo, learned)).toEqual(new Map([
      ['ad', { sAMAccountName: ['orphan', 'john.smith'], userPrincipalName: ['j@example.test'] }],
      ['app', { username: ['x'] }],
      ['scim', { userName: ['ada'] }],
    ]));
    expect(memo.get('ad')).toEqual({ sAMAccountName: ['orphan'] });
  });
});
