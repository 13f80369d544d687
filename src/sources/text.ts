/**
 * Text a source value must not carry: U+FFFD (what bytes that were not UTF-8
 * are decoded as: a file saved in another encoding must not rename people),
 * NUL (PostgreSQL refuses it: one such value would fail the whole ingest) and
 * a lone UTF-16 surrogate (only a JSON escape can make one; it is not text).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with `value` ("is not valid UTF-8", ...), or undefined when it is fine. */
export function textProblem(value: string): string | undefined {
  if (value.includes('\uFFFD')) return 'is not valid UTF-8';
  if (value.includes('\0')) return 'holds a NUL character';
  if (LONE_SURROGATE.test(value)) return 'holds a lone UTF-16 surrogate';
  return undefined;
}

/** `value` when it is fine, else undefined (a key that cannot be read). */
export function cleanOrUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' || textProblem(value) !== undefined ? undefined : value;
}
