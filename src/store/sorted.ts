/**
 * Orders strings like the database does: SQLite's BINARY collation and the
 * PostgreSQL key columns (collate "C") compare UTF-8 bytes, which is code
 * point order. JavaScript's `<` compares UTF-16 units, which differs only
 * between surrogate pairs (U+10000 and up) and U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800..DFFF) encode code points above every BMP unit: move them past E000..FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** One row's fate in a sorted list: replaced or inserted (`value`), or removed (`value` undefined). */
export interface SortedChange<K, T extends K> {
  readonly key: K;
  readonly value: T | undefined;
}

/** Up to this many changes are spliced in place; more are merged into a new array in one pass. */
const SPLICE_LIMIT = 64;

/** Index of the first element not below `key`. */
function lowerBound<K, T extends K>(data: readonly T[], key: K, compare: (a: K, b: K) => number): number {
  let low = 0;
  let high = data.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(data[mid]!, key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Applies `changes` (sorted by key, one per key) to `data` (sorted, unique
 * keys) and returns the result, still sorted: `data` itself when few changes
 * (changed in place), a new array otherwise.
 */
export function mergeSorted<K, T extends K>(data: T[], changes: readonly SortedChange<K, T>[], compare: (a: K, b: K) => number): T[] {
  if (changes.length <= SPLICE_LIMIT) {
    for (const { key, value } of changes) {
      const at = lowerBound(data, key, compare);
      const found = at < data.length && compare(data[at]!, key) === 0;
      if (value === undefined) {
        if (found) data.splice(at, 1);
      } else if (found) {
        data[at] = value;
      } else {
        data.splice(at, 0, value);
      }
    }
    return data;
  }
  const merged: T[] = [];
  let i = 0;
  for (const { key, value } of changes) {
    while (i < data.length && compare(data[i]!, key) < 0) merged.push(data[i++]!);
    if (i < data.length && compare(data[i]!, key) === 0) i++; // replaced or removed
    if (value !== undefined) merged.push(value);
  }
  while (i < data.length) merged.push(data[i++]!);
  return merged;
}
