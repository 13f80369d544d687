/**
 * The form in which a directory compares text case-insensitively (RFC 4518
 * string preparation, as slapd does it), for the DN comparison (dn.ts) and the
 * caseIgnore matching rules (connectors/directory/matching.ts): two values
 * with the same key are one value, or one entry, to the server.
 */

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Compatibility form (NFKC: full-width `Ｊ` is `J`, `ﬁ` is `fi`), no leading
 * or trailing spaces, inner runs of spaces as one (RFC 4518 §2.6.1), and each
 * character lower-cased on its own. Per character, not String#toLowerCase on
 * the whole text, because slapd folds that way (measured, slapd 2.5): a
 * word-final `Σ` is `σ` (JavaScript's whole-string rule makes it `ς`, which
 * slapd holds as another letter), and `İ` is `i` (JavaScript makes it `i` and
 * a combining dot). ASCII text (most) takes the quick way.
 */
export function caseIgnoreKey(value: string): string {
  if (!NON_ASCII.test(value)) return spaced(value).toLowerCase();
  let key = '';
  for (const char of spaced(value.normalize('NFKC'))) key += char === '\u0130' ? 'i' : char.toLowerCase();
  return key;
}

/** The same key with case kept (caseExactMatch): NFKC and insignificant spaces only. */
export function caseExactKey(value: string): string {
  return spaced(NON_ASCII.test(value) ? value.normalize('NFKC') : value);
}

const spaced = (value: string): string => value.trim().replace(/\s+/g, ' ');
