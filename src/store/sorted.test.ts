import { describe, expect, it } from 'vitest';
import { compareCodePoints, mergeSorted, type SortedChange } from './sorted.js';

const byCodePoint = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

describe('compareCodePoints', () => {
  it('orders like UTF-8 bytes, not UTF-16 units', () => {
    const words = ['b', 'a', '', 'ab', 'a\u{1F600}', 'a\uFF21', 'a\uE000', 'a\uD7FF', '\u{10000}', '\uFFFF', 'Z', 'é'];
    const sorted = [...words].sort(compareCodePoints);
    expect(sorted).toEqual([...words].sort(byCodePoint));
    expect(sorted.indexOf('a\uFF21')).toBeLessThan(sorted.indexOf('a\u{1F600}'));
    expect(Buffer.compare(Buffer.from('\uFFFF'), Buffer.from('\u{10000}'))).toBe(-1);
    expect(compareCodePoints('\uFFFF', '\u{10000}')).toBeLessThan(0);
    expect(compareCodePoints('x', 'x')).toBe(0);
  });
});

describe('mergeSorted', () => {
  const cmp = (a: { readonly k: string }, b: { readonly k: string }): number => compareCodePoints(a.k, b.k);
  const rows = (keys: string): { k: string; v: number }[] => [...keys].map((k) => ({ k, v: 0 }));

  it.each([
    ['spliced in place', 3],
    ['merged in one pass', 200],
  ])('inserts, replaces and removes (%s)', (_, padding) => {
    const base = [...rows('bdfh'), ...Array.from({ length: padding }, (_, i) => ({ k: `z${String(i).padStart(3, '0')}`, v: 0 }))];
    const changes: SortedChange<{ readonly k: string }, { k: string; v: number }>[] = [
      { key: { k: 'a' }, value: { k: 'a', v: 1 } },
      { key: { k: 'b' }, value: undefined },
      { key: { k: 'c' }, value: undefined }, // not there: nothing to remove
      { key: { k: 'd' }, value: { k: 'd', v: 2 } },
      { key: { k: 'i' }, value: { k: 'i', v: 3 } },
      ...Array.from({ length: padding }, (_, i) => ({ key: { k: `y${i}` }, value: undefined })),
      { key: { k: 'zz' }, value: { k: 'zz', v: 4 } },
    ];
    const merged = mergeSorted(base, changes, cmp);
    expect(merged.slice(0, 5)).toEqual([{ k: 'a', v: 1 }, { k: 'd', v: 2 }, { k: 'f', v: 0 }, { k: 'h', v: 0 }, { k: 'i', v: 3 }]);
    expect(merged).toHaveLength(5 + padding + 1);
    expect(merged.at(-1)).toEqual({ k: 'zz', v: 4 });
    expect(merged.map((r) => r.k)).toEqual(merged.map((r) => r.k).sort(compareCodePoints));
  });
});
