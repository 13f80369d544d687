import { describe, expect, it } from 'vitest';
import { asStored, isJsonClean } from './json.js';

describe('asStored', () => {
  it('shares plain data and round-trips anything JSON would change', () => {
    const plain = { a: 'x', n: 1.5, nested: { list: [1, 'two', null, true], empty: {} } };
    expect(isJsonClean(plain)).toBe(true);
    expect(asStored(plain)).toBe(plain);
    for (const odd of [{ a: undefined }, { n: Number.NaN }, { n: -0 }, { d: new Date(0) }, [1, undefined], Object.create(null) as object, { f: () => 1 }, { b: 1n }]) {
      expect(isJsonClean(odd)).toBe(false);
    }
    // eslint-disable-next-line no-sparse-arrays -- a hole is what is tested
    expect(asStored({ keep: 1, drop: undefined, nan: Number.NaN, when: new Date(0), list: [1, , undefined] })).toStrictEqual({
      keep: 1, nan: null, when: '1970-01-01T00:00:00.000Z', list: [1, null, null],
    });
  });
});
